/**
 * PyTorch 1.13's repr of a tensor (torch/_tensor_str.py), character for character: the formatter that picks integer,
 * fixed or scientific notation from the values, summarisation past the threshold, wrapping at the line width, and
 * the suffixes (dtype, grad_fn, requires_grad).
 */
import { formatExponent, formatFixed } from "./number_format";
import { printOptions } from "./options";

export type PrintDType = "float32" | "float64" | "int64" | "bool";

export interface PrintableTensor {
  readonly shape: readonly number[];
  readonly dtype: PrintDType;
  /** Row-major values. */
  readonly values: ArrayLike<number>;
}

/** A view of part of a tensor: an offset into the values and the shape that remains. */
interface Slice {
  values: ArrayLike<number>;
  offset: number;
  shape: readonly number[];
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function sub(s: Slice, i: number): Slice {
  const inner = s.shape.slice(1);
  return { values: s.values, offset: s.offset + i * numel(inner), shape: inner };
}

/** The elements the formatter looks at: all of them, or only the edges when the print is summarised. */
function summarizedValues(s: Slice, summarize: boolean, out: number[]): void {
  if (s.shape.length === 0) {
    out.push(s.values[s.offset]);
    return;
  }
  const n = s.shape[0];
  const edge = printOptions.edgeitems;
  const indices = summarize && n > 2 * edge ? [...range(0, edge), ...range(n - edge, n)] : range(0, n);
  for (const i of indices) summarizedValues(sub(s, i), summarize, out);
}

function range(from: number, to: number): number[] {
  const r: number[] = [];
  for (let i = from; i < to; i++) r.push(i);
  return r;
}

class Formatter {
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;

  constructor(
    private readonly dtype: PrintDType,
    values: number[],
  ) {
    const { precision } = printOptions;
    if (dtype === "int64" || dtype === "bool") {
      for (const v of values) this.maxWidth = Math.max(this.maxWidth, this.plain(v).length);
      return;
    }
    const nonzeroFinite = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (nonzeroFinite.length) {
      const abs = nonzeroFinite.map(Math.abs);
      const min = Math.min(...abs);
      const max = Math.max(...abs);
      this.intMode = nonzeroFinite.every((v) => v === Math.ceil(v));
      if (this.intMode) {
        if (max / min > 1000 || max > 1e8) {
          this.sciMode = true;
          for (const v of nonzeroFinite) this.maxWidth = Math.max(this.maxWidth, formatExponent(v, precision).length);
        } else {
          for (const v of nonzeroFinite) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, 0).length + 1);
        }
      } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
        this.sciMode = true;
        for (const v of nonzeroFinite) this.maxWidth = Math.max(this.maxWidth, formatExponent(v, precision).length);
      } else {
        for (const v of nonzeroFinite) this.maxWidth = Math.max(this.maxWidth, formatFixed(v, precision).length);
      }
    }
    if (printOptions.sciMode !== null) this.sciMode = printOptions.sciMode;
  }

  get width(): number {
    return this.maxWidth;
  }

  private plain(v: number): string {
    return this.dtype === "bool" ? (v ? "True" : "False") : String(v);
  }

  format(v: number): string {
    let s: string;
    if (this.dtype === "int64" || this.dtype === "bool") s = this.plain(v);
    else if (this.sciMode) s = formatExponent(v, printOptions.precision);
    else if (this.intMode) s = formatFixed(v, 0) + (Number.isFinite(v) ? "." : "");
    else s = formatFixed(v, printOptions.precision);
    return s.padStart(this.maxWidth, " ");
  }
}

function vectorString(s: Slice, indent: number, summarize: boolean, f: Formatter): string {
  const elementLength = f.width + 2;
  const perLine = Math.max(1, Math.floor((printOptions.linewidth - indent) / elementLength));
  const n = s.shape[0];
  const edge = printOptions.edgeitems;
  const at = (i: number) => f.format(s.values[s.offset + i]);
  const data = summarize && n > 2 * edge ? [...range(0, edge).map(at), " ...", ...range(n - edge, n).map(at)] : range(0, n).map(at);
  const lines: string[] = [];
  for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(", "));
  return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
}

function tensorString(s: Slice, indent: number, summarize: boolean, f: Formatter): string {
  const dim = s.shape.length;
  if (dim === 0) return f.format(s.values[s.offset]);
  if (dim === 1) return vectorString(s, indent, summarize, f);
  const n = s.shape[0];
  const edge = printOptions.edgeitems;
  const slices =
    summarize && n > 2 * edge
      ? [...range(0, edge).map((i) => tensorString(sub(s, i), indent + 1, summarize, f)), "...", ...range(n - edge, n).map((i) => tensorString(sub(s, i), indent + 1, summarize, f))]
      : range(0, n).map((i) => tensorString(sub(s, i), indent + 1, summarize, f));
  return "[" + slices.join("," + "\n".repeat(dim - 1) + " ".repeat(indent + 1)) + "]";
}

/** The body between `tensor(` and the suffixes, e.g. `[[3., 4.],\n        [5., 6.]]`. */
export function formatValues(t: PrintableTensor, indent: number): string {
  const n = numel(t.shape);
  if (n === 0) return "[]";
  const summarize = n > printOptions.threshold;
  const root: Slice = { values: t.values, offset: 0, shape: t.shape };
  const sample: number[] = [];
  summarizedValues(root, summarize, sample);
  return tensorString(root, indent, summarize, new Formatter(t.dtype, sample));
}

function addSuffixes(body: string, suffixes: string[], indent: number): string {
  const parts = [body];
  let lastLineLength = body.length - body.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > printOptions.linewidth) {
      parts.push(",\n" + " ".repeat(indent) + suffix);
      lastLineLength = indent + suffix.length;
    } else {
      parts.push(", " + suffix);
      lastLineLength += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

const TORCH_DTYPE: Record<PrintDType, string> = { float32: "torch.float32", float64: "torch.float64", int64: "torch.int64", bool: "torch.bool" };

/** `repr(tensor)`: `formatTensor({shape: [2], dtype: "float32", values: [1, 2]}, ["requires_grad=True"])` is
 * `tensor([1., 2.], requires_grad=True)`. `extraSuffixes` follow PyTorch's own size/dtype suffixes. */
export function formatTensor(t: PrintableTensor, extraSuffixes: readonly string[] = [], prefix = "tensor("): string {
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (numel(t.shape) === 0) {
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(", ")}${t.shape.length === 1 ? "," : ""})`);
    if (t.dtype !== "float32") suffixes.push(`dtype=${TORCH_DTYPE[t.dtype]}`);
    body = "[]";
  } else {
    if (t.dtype === "float64") suffixes.push(`dtype=${TORCH_DTYPE[t.dtype]}`);
    body = formatValues(t, indent);
  }
  return addSuffixes(prefix + body, [...suffixes, ...extraSuffixes], indent);
}
