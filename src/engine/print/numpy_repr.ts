/**
 * NumPy's repr of an array (numpy/core/arrayprint.py, legacy=False): the shortest digits that identify each value
 * (of its own precision: float32 values print as float32, so 0.1 stays 0.1), padded so the points line up.
 */
import { formatFixed } from "./number_format";
import type { PrintableTensor } from "./tensor_repr";

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE = 3;
const PRECISION = 8;

/** The shortest decimal that reads back as the same value in its dtype, as digits and a decimal exponent. */
function shortest(x: number, float32: boolean): { digits: string; exp: number } {
  let s = "";
  if (float32) {
    for (let p = 1; p <= 9; p++) {
      s = x.toPrecision(p);
      if (Math.fround(Number(s)) === x) break;
    }
  } else s = String(x);
  const [mantissa, e] = Number(s).toExponential().split("e");
  const digits = mantissa.replace(".", "").replace(/0+$/, "") || "0";
  return { digits, exp: Number(e) };
}

/** Positional form from digits d₀d₁… × 10^exp: "1.25", "300.", "0.001". */
function positional(digits: string, exp: number): { int: string; frac: string } {
  if (exp >= 0) {
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return { int, frac: digits.slice(exp + 1) };
  }
  return { int: "0", frac: "0".repeat(-exp - 1) + digits };
}

interface Formatted {
  format(x: number): string;
}

function floatFormatter(values: number[], float32: boolean): Formatted {
  const finite = values.filter(Number.isFinite);
  const nonzero = finite.filter((v) => v !== 0).map(Math.abs);
  const max = nonzero.length ? Math.max(...nonzero) : 0;
  const min = nonzero.length ? Math.min(...nonzero) : 0;
  const expFormat = nonzero.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1000);
  const special = (x: number) => (Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf");
  if (expFormat) {
    const parts = finite.map((v) => shortest(Math.abs(v), float32));
    const fracDigits = Math.min(PRECISION, Math.max(...parts.map((p) => p.digits.length - 1)));
    const expDigits = Math.max(2, ...parts.map((p) => String(Math.abs(p.exp)).length));
    const body = (x: number) => {
      const { exp } = shortest(Math.abs(x), float32);
      const m = (Math.abs(x) / 10 ** exp).toFixed(fracDigits);
      return `${x < 0 || Object.is(x, -0) ? "-" : ""}${m.includes(".") ? m : `${m}.`}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(expDigits, "0")}`;
    };
    const width = Math.max(...finite.map((v) => body(v).length), 0);
    return { format: (x) => (Number.isFinite(x) ? body(x) : special(x)).padStart(width, " ") };
  }
  const split = (x: number) => {
    const { digits, exp } = shortest(Math.abs(x), float32);
    let { int, frac } = positional(digits, exp);
    if (frac.length > PRECISION) {
      const fixed = formatFixed(Math.abs(x), PRECISION).replace(/0+$/, "");
      [int, frac] = fixed.split(".");
    }
    return { int: (x < 0 || Object.is(x, -0) ? "-" : "") + int, frac };
  };
  const parts = finite.map(split);
  const padRight = Math.max(0, ...parts.map((p) => p.frac.length));
  // Room for nan/inf: they are right-aligned with the numbers' points.
  const specials = values.filter((v) => !Number.isFinite(v)).map((v) => special(v).length - (padRight + 1));
  const padLeft = Math.max(0, ...parts.map((p) => p.int.length), ...specials);
  return {
    format: (x) => {
      if (!Number.isFinite(x)) return special(x).padStart(padLeft + padRight + 1, " ");
      const { int, frac } = split(x);
      return `${int.padStart(padLeft, " ")}.${frac.padEnd(padRight, " ")}`;
    },
  };
}

function plainFormatter(values: number[], bool: boolean): Formatted {
  const text = (v: number) => (bool ? (v ? "True" : "False") : String(v));
  const width = Math.max(0, ...values.map((v) => text(v).length));
  return { format: (v) => text(v).padStart(width, " ") };
}

export function formatNumpyArray(t: PrintableTensor): string {
  const n = t.values.length;
  const summarize = n > THRESHOLD;
  const prefix = "array(";
  const shape = t.shape;
  if (shape.length === 0) return `array(${plainOrFloat(t, [t.values[0]]).format(t.values[0]).trim()}${dtypeSuffix(t)})`;
  const sample: number[] = [];
  collect(t.values, shape, 0, 0, summarize, sample);
  const f = plainOrFloat(t, sample);
  const body = n === 0 ? "[]" : block(t.values, shape, 0, 0, summarize, f, " ".repeat(prefix.length));
  return `${prefix}${body}${dtypeSuffix(t)})`;
}

function plainOrFloat(t: PrintableTensor, sample: number[]): Formatted {
  return t.dtype === "float32" || t.dtype === "float64" ? floatFormatter(sample, t.dtype === "float32") : plainFormatter(sample, t.dtype === "bool");
}

function dtypeSuffix(t: PrintableTensor): string {
  if (t.dtype === "float32") return ", dtype=float32";
  if (t.values.length === 0 && t.dtype !== "float64") return `, dtype=${t.dtype}`;
  return "";
}

function innerSize(shape: readonly number[], dim: number): number {
  let n = 1;
  for (let i = dim + 1; i < shape.length; i++) n *= shape[i];
  return n;
}

function indices(n: number, summarize: boolean): Array<number | null> {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: EDGE }, (_, i) => i), null, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)];
}

function collect(values: ArrayLike<number>, shape: readonly number[], dim: number, offset: number, summarize: boolean, out: number[]): void {
  const stride = innerSize(shape, dim);
  for (const i of indices(shape[dim], summarize)) {
    if (i === null) continue;
    if (dim === shape.length - 1) out.push(values[offset + i]);
    else collect(values, shape, dim + 1, offset + i * stride, summarize, out);
  }
}

function block(values: ArrayLike<number>, shape: readonly number[], dim: number, offset: number, summarize: boolean, f: Formatted, indent: string): string {
  const stride = innerSize(shape, dim);
  const nextIndent = indent + " ";
  if (dim === shape.length - 1) {
    const words = indices(shape[dim], summarize).map((i) => (i === null ? "..." : f.format(values[offset + i])));
    // Wrap as NumPy does: a word that would pass the line width starts a new line.
    let line = "[";
    const lines: string[] = [];
    words.forEach((w, k) => {
      const word = k < words.length - 1 ? `${w},` : w;
      if (line.length + word.length + (line === "[" ? 0 : 1) > LINE_WIDTH - indent.length && line !== "[") {
        lines.push(line);
        line = " " + word;
      } else line += (line === "[" ? "" : " ") + word;
    });
    lines.push(line + "]");
    return lines.join("\n" + indent);
  }
  const separator = "," + "\n".repeat(shape.length - dim - 1) + nextIndent;
  const parts = indices(shape[dim], summarize).map((i) => (i === null ? "..." : block(values, shape, dim + 1, offset + i * stride, summarize, f, nextIndent)));
  return "[" + parts.join(separator) + "]";
}
