/** The colour of a gradient's size: log10 of its norm, from the smallest to the largest in the graph, cold to hot. */
import { fmt } from "./dom";

/** Blue (small) through yellow to red (large): readable on light and dark backgrounds. */
const STOPS: Array<[number, number, number]> = [[49, 54, 149], [69, 117, 180], [116, 173, 209], [254, 224, 144], [244, 109, 67], [165, 0, 38]];

export const ZERO_COLOR = "#9aa0a6";
export const NONFINITE_COLOR = "#f5c400";

export class GradientScale {
  private constructor(
    private readonly lo: number,
    private readonly hi: number,
    readonly hasZero: boolean,
    readonly hasNonFinite: boolean,
  ) {}

  /** null when no value is a gradient norm (nothing ran backward). */
  static of(norms: Array<number | null>): GradientScale | null {
    let lo = Infinity;
    let hi = -Infinity;
    let zero = false;
    let nonFinite = false;
    let any = false;
    for (const n of norms) {
      if (n === null) continue;
      any = true;
      if (!Number.isFinite(n)) nonFinite = true;
      else if (n <= 0) zero = true;
      else {
        const l = Math.log10(n);
        lo = Math.min(lo, l);
        hi = Math.max(hi, l);
      }
    }
    if (!any) return null;
    if (lo === Infinity) lo = hi = 0;
    if (hi - lo < 1e-9) {
      lo -= 0.5;
      hi += 0.5;
    }
    return new GradientScale(lo, hi, zero, nonFinite);
  }

  color(norm: number | null): string | null {
    if (norm === null) return null;
    if (!Number.isFinite(norm)) return NONFINITE_COLOR;
    if (norm <= 0) return ZERO_COLOR;
    return colorAt((Math.log10(norm) - this.lo) / (this.hi - this.lo));
  }

  stops(): string[] {
    return STOPS.map((_, i) => colorAt(i / (STOPS.length - 1)));
  }

  /** Labels under the legend's bar: its ends and, if it spans decades, the middle. */
  ticks(): string[] {
    const at = (t: number) => fmt(10 ** (this.lo + t * (this.hi - this.lo)));
    return this.hi - this.lo >= 2 ? [at(0), at(0.5), at(1)] : [at(0), at(1)];
  }
}

function colorAt(t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  const c = a.map((v, k) => Math.round(v + (b[k] - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}
