/**
 * A tiny handwritten-digits set: 300 8x8 images (30 of each digit) from scikit-learn's digits, pixels 0..16.
 * Licence and origin: LICENSES.md in this folder.
 */
import { allocate } from "../../../dtype";
import { finish } from "../../../create";
import type { Tensor } from "../../../tensor";
import { DIGITS_LABELS, DIGITS_PIXELS } from "./digits_data";

export interface DigitsOptions {
  /** Shape the images [n, 1, 8, 8] (for convolutions) instead of [n, 64]. */
  asImages?: boolean;
  /** Divide the pixels by 16, to [0, 1] (default false: the original 0..16). */
  normalize?: boolean;
}

let cache: Uint8Array | null = null;

/** The 300 * 64 pixel values, unpacked once. */
function pixels(): Uint8Array {
  if (cache) return cache;
  const bin = atob(DIGITS_PIXELS);
  const out = new Uint8Array(DIGITS_LABELS.length * 64);
  let bit = 0;
  for (let i = 0; i < out.length; i++) {
    let v = 0;
    for (let k = 0; k < 5; k++, bit++) v = (v << 1) | ((bin.charCodeAt(bit >> 3) >> (7 - (bit & 7))) & 1);
    out[i] = v;
  }
  return (cache = out);
}

/** `[X, y]`: the images (float32) and their digits (int64), as `sklearn.datasets.load_digits(return_X_y=True)` for
 * this subset. */
export function loadDigits(options: DigitsOptions = {}): [Tensor, Tensor] {
  const p = pixels();
  const n = DIGITS_LABELS.length;
  const X = allocate("float32", p.length);
  for (let i = 0; i < p.length; i++) X[i] = options.normalize ? Math.fround(p[i] / 16) : p[i];
  const y = allocate("int64", n);
  for (let i = 0; i < n; i++) y[i] = DIGITS_LABELS.charCodeAt(i) - 48;
  return [finish(X, options.asImages ? [n, 1, 8, 8] : [n, 64], "float32", {}), finish(y, [n], "int64", {})];
}
