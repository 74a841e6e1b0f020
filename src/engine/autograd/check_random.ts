import { allocate } from "../dtype";

/** A small seeded generator for the numerical checks: they must be repeatable and must not consume the user's
 * random stream (a check would otherwise change what the snippet's next rand() returns). */
export class CheckRandom {
  private state: number;

  constructor(seed = 0x9e3779b9) {
    this.state = seed >>> 0 || 1;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [-1, 1) filled into a new array. */
  vector(n: number): Float64Array {
    const v = allocate("float64", n) as Float64Array;
    for (let i = 0; i < n; i++) v[i] = 2 * this.next() - 1;
    return v;
  }

  /** `k` distinct indices below n, in increasing order. */
  sample(n: number, k: number): number[] {
    if (k >= n) return Array.from({ length: n }, (_, i) => i);
    const picked = new Set<number>();
    while (picked.size < k) picked.add(Math.floor(this.next() * n));
    return [...picked].sort((a, b) => a - b);
  }
}
