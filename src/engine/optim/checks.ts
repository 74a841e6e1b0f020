/** The argument checks PyTorch 1.13's optimizers make in their constructors, with their messages. */
import { ValueError } from "../errors";
import { pythonFloatRepr } from "../print/number_format";

/** A number as Python's `"{}".format(x)` shows it (integers as written without a decimal point). */
export function formatArg(x: unknown): string {
  if (typeof x === "number") return Number.isInteger(x) && Math.abs(x) < 1e16 ? String(x) : pythonFloatRepr(x);
  if (Array.isArray(x)) return `(${x.map(formatArg).join(", ")})`;
  return String(x);
}

/** `if not 0.0 <= value: raise ValueError("Invalid <what> value: ...")`; NaN fails, as in Python. */
export function checkNonNegative(value: unknown, message: string): void {
  if (typeof value !== "number" || !(value >= 0)) throw new ValueError(`${message}: ${formatArg(value)}`);
}

/** `if not 0.0 <= beta < 1.0: raise ValueError("Invalid beta parameter at index i: ...")`; betas are floats in
 * PyTorch's signature, so they print as floats (1.0). */
export function checkBetas(betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new ValueError(`betas must be a pair of numbers, but got ${formatArg(betas)}`);
  betas.forEach((b, i) => {
    if (typeof b !== "number" || !(b >= 0 && b < 1)) throw new ValueError(`Invalid beta parameter at index ${i}: ${typeof b === "number" ? pythonFloatRepr(b) : formatArg(b)}`);
  });
}

/** Options must be an object (or left out); a typo in a name would otherwise be silently ignored. */
export function checkOptions(options: unknown, known: readonly string[], where: string): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" || Array.isArray(options)) throw new TypeError(`${where}: options must be an object like {lr: 0.01}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown option '${key}' (expected one of ${known.join(", ")})`);
  }
  return options as Record<string, unknown>;
}

/** The options over the defaults, after checkOptions with the defaults' names as the known ones. */
export function withDefaults<D extends object>(options: unknown, defaults: D, where: string): D {
  return { ...defaults, ...(checkOptions(options, Object.keys(defaults), where) as Partial<D>) };
}

/** The checks Adam, AdamW, Adamax, NAdam and RAdam make, in their order. */
export function checkAdamOptions(d: { lr: number; eps: number; betas: unknown; weightDecay: number }): void {
  checkNonNegative(d.lr, "Invalid learning rate");
  checkNonNegative(d.eps, "Invalid epsilon value");
  checkBetas(d.betas);
  checkNonNegative(d.weightDecay, "Invalid weight_decay value");
}
