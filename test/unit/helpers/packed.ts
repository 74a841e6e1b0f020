/** Fixture values packed by the Python scripts as "f32:<base64>" / "f64:<base64>" (little-endian bytes): exact. */
import { type DType, nn, tensor, type Tensor } from "../../../src/engine";

export type Packed = string;

export function unpack(packed: Packed): Float32Array | Float64Array {
  const [kind, b64] = packed.split(":");
  const bytes = Buffer.from(b64, "base64");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (kind === "f32") return new Float32Array(buffer);
  if (kind === "f64") return new Float64Array(buffer);
  throw new Error(`unknown packing ${kind}`);
}

export function unpackTensor(packed: Packed, shape: number[], dtype?: DType): Tensor {
  const values = unpack(packed);
  return tensor(Array.from(values), { dtype: dtype ?? (values instanceof Float32Array ? "float32" : "float64") }).reshape(shape);
}

export function unpackParameter(packed: Packed, shape: number[]): nn.Parameter {
  return new nn.Parameter(unpackTensor(packed, shape));
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** How many representable values lie between a and b in the dtype (0: bit for bit equal). */
export function ulpDistance(a: number, b: number, dtype: "float32" | "float64"): number {
  if (Object.is(a, b) || a === b) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  const ordered = (x: number): bigint => {
    if (dtype === "float32") {
      f32[0] = x;
      const v = i32[0];
      return BigInt(v < 0 ? -2147483648 - v : v);
    }
    f64[0] = x;
    const v = i64[0];
    return v < 0n ? -9223372036854775808n - v : v;
  };
  const d = ordered(a) - ordered(b);
  return Number(d < 0n ? -d : d);
}

/** The largest ulp distance between two arrays of the same length. */
export function maxUlp(actual: ArrayLike<number>, expected: ArrayLike<number>, dtype: "float32" | "float64"): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, ulpDistance(actual[i], expected[i], dtype));
  return worst;
}
