/** uniform_ / rand, as PyTorch's CPU kernel: one draw per element, `x * (to - from) + from` fused, in the
 * tensor's own dtype, with from and to first rounded to it. */
import { RuntimeError } from "../errors";
import { fma, fmaf } from "./fused";
import type { Generator } from "./generator";

const f = Math.fround;
const FLOAT_MAX = 3.4028234663852886e38;

/** PyTorch's checks, with its messages; `max` is the dtype's largest finite value. */
function checkBounds(from: number, to: number, max: number, dtype: "float" | "double"): void {
  if (!(from >= -max && from <= max)) throw new RuntimeError(`from is out of bounds for ${dtype}`);
  if (!(to >= -max && to <= max)) throw new RuntimeError(`to is out of bounds for ${dtype}`);
  if (!(from <= to)) throw new RuntimeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  if (!(to - from <= max)) {
    const name = dtype === "float" ? "Float" : "Double";
    throw new RuntimeError(`uniform_ expects to-from <= std::numeric_limits<${name}>::max(), but found to=${to} and from=${from} which result in to-from to exceed the limit`);
  }
}

export function fillUniformWith(out: Float32Array | Float64Array, from: number, to: number, gen: Generator): void {
  const n = out.length;
  if (out instanceof Float32Array) {
    checkBounds(from, to, FLOAT_MAX, "float");
    const a = f(from);
    const width = f(f(to) - a);
    if (a === 0 && width === 1) {
      for (let i = 0; i < n; i++) out[i] = gen.nextFloat();
    } else {
      for (let i = 0; i < n; i++) out[i] = fmaf(gen.nextFloat(), width, a);
    }
  } else {
    checkBounds(from, to, Number.MAX_VALUE, "double");
    const width = to - from;
    if (from === 0 && width === 1) {
      for (let i = 0; i < n; i++) out[i] = gen.nextDouble();
    } else {
      for (let i = 0; i < n; i++) out[i] = fma(gen.nextDouble(), width, from);
    }
  }
}
