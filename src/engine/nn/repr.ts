/** Python's spelling of constructor arguments in a module's repr: `(5, 5)`, `(3,)`, `1e-05`, `True`, `None`. */
import { pythonFloatRepr } from "../print/number_format";

export type ReprValue = number | boolean | string | null | undefined | readonly ReprValue[];

/** An int, a tuple of ints (JavaScript arrays print as Python tuples), True/False, None, or a string as given. */
export function pyRepr(v: ReprValue): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pythonFloatRepr(v);
  if (typeof v === "string") return v;
  return v.length === 1 ? `(${pyRepr(v[0])},)` : `(${v.map(pyRepr).join(", ")})`;
}

/** A value Python holds as a float (eps, momentum, p): `0.1`, `1e-05`, `2.0`. */
export function pyFloat(v: number | null | undefined): string {
  return v === null || v === undefined ? "None" : pythonFloatRepr(v);
}
