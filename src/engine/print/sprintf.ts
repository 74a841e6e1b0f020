/**
 * Python's %-formatting, so `print('%d-th Loss: %.4e' % (i, loss))` has a one-to-one form:
 * `sprintf("%d-th Loss: %.4e", i, loss)`. A one-element tensor formats as its number, as float(tensor) would.
 */
import { formatExponent, formatFixed, pythonFloatRepr } from "./number_format";

const SPEC = /%([-+ 0#]*)(\d+|\*)?(?:\.(\d+|\*))?([diouxXeEfFgGcrsa%])/g;

function toNumber(v: unknown, spec: string): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v !== null && typeof v === "object") {
    const n = Number(v);
    if (!Number.isNaN(n) || String(v).includes("nan")) return n;
  }
  throw new TypeError(`sprintf: %${spec} format: a real number is required, not ${v === null ? "null" : typeof v}`);
}

function general(x: number, precision: number, upper: boolean, alternate: boolean): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const p = precision === 0 ? 1 : precision;
  const exp = x === 0 ? 0 : Number(formatExponent(x, p - 1).split("e")[1]);
  let s = exp < -4 || exp >= p ? formatExponent(x, p - 1) : formatFixed(x, p - 1 - exp);
  if (!alternate) s = s.replace(/\.?0+(?=e|$)/, (m) => (m.startsWith(".") || /\./.test(s) ? "" : m));
  return upper ? s.toUpperCase() : s;
}

export function sprintf(format: string, ...args: unknown[]): string {
  let next = 0;
  const take = (spec: string) => {
    if (next >= args.length) throw new TypeError(`sprintf: not enough arguments for format string "${format}" (at %${spec})`);
    return args[next++];
  };
  const out = format.replace(SPEC, (_m, flags: string, widthRaw: string | undefined, precRaw: string | undefined, conv: string) => {
    if (conv === "%") return "%";
    const width = widthRaw === "*" ? Number(take(conv)) : widthRaw ? Number(widthRaw) : 0;
    const precision = precRaw === "*" ? Number(take(conv)) : precRaw !== undefined ? Number(precRaw) : undefined;
    const v = take(conv);
    let body: string;
    let numeric = true;
    switch (conv) {
      case "d":
      case "i":
      case "u":
        body = String(Math.trunc(toNumber(v, conv)));
        break;
      case "o":
        body = Math.trunc(toNumber(v, conv)).toString(8);
        break;
      case "x":
      case "X":
        body = Math.trunc(toNumber(v, conv)).toString(16);
        if (conv === "X") body = body.toUpperCase();
        break;
      case "e":
      case "E":
        body = formatExponent(toNumber(v, conv), precision ?? 6);
        if (conv === "E") body = body.toUpperCase();
        break;
      case "f":
      case "F":
        body = formatFixed(toNumber(v, conv), precision ?? 6);
        if (conv === "F") body = body.toUpperCase();
        break;
      case "g":
      case "G":
        body = general(toNumber(v, conv), precision ?? 6, conv === "G", flags.includes("#"));
        break;
      case "c":
        body = typeof v === "number" ? String.fromCodePoint(v) : String(v);
        numeric = false;
        break;
      case "r":
      case "a":
        body = typeof v === "string" ? `'${v}'` : typeof v === "number" ? pythonFloatRepr(v) : String(v);
        numeric = false;
        break;
      default:
        body = typeof v === "number" && !Number.isInteger(v) ? pythonFloatRepr(v) : typeof v === "boolean" ? (v ? "True" : "False") : String(v);
        if (precision !== undefined) body = body.slice(0, precision);
        numeric = false;
    }
    if (numeric) {
      if (!body.startsWith("-")) {
        if (flags.includes("+")) body = "+" + body;
        else if (flags.includes(" ")) body = " " + body;
      }
      if (flags.includes("0") && !flags.includes("-") && body.length < width && !/nan|inf/i.test(body)) {
        const sign = /^[+\- ]/.test(body) ? body[0] : "";
        body = sign + body.slice(sign.length).padStart(width - sign.length, "0");
      }
    }
    return flags.includes("-") ? body.padEnd(width, " ") : body.padStart(width, " ");
  });
  if (next < args.length) throw new TypeError(`sprintf: not all arguments converted during string formatting ("${format}" takes ${next}, got ${args.length})`);
  return out;
}
