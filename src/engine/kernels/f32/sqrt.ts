/** float32 sqrt and rsqrt: both correctly rounded in ATen (vsqrtps, then a true division), so a double sqrt
 * rounded to float (exact: 53 ≥ 2·24 + 2 bits) and a float division give PyTorch's bits. */
import { f } from "./bits";

export function rsqrtf(x: number): number {
  return f(1 / f(Math.sqrt(x)));
}

export function sqrtArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < src.length; i++) out[i] = Math.sqrt(src[i]);
}

export function rsqrtArray(src: Float32Array, out: Float32Array): void {
  for (let i = 0; i < src.length; i++) out[i] = rsqrtf(src[i]);
}
