/**
 * Small synthetic data sets for examples: two interleaved half circles (scikit-learn's make_moons construction)
 * and K spiral arms (cs231n's). Their shuffling and noise come from PyTorch's generator (randperm, randn in float64),
 * so the numbers are those of the same recipe written with torch after the same seed, bit for bit (see
 * scripts/fixtures/data_fixtures.py) — not scikit-learn's, which draws from NumPy and whose cos/sin vary with the
 * CPU NumPy runs on.
 */
import { allocate } from "../../../dtype";
import { RuntimeError } from "../../../errors";
import { finish } from "../../../create";
import { fillNormal, type Generator, generatorOf, randperm } from "../../../random";
import { libmCos, libmSin } from "../../../random/libm";
import type { Tensor } from "../../../tensor";

export interface SyntheticOptions {
  /** The standard deviation of the Gaussian noise added to each coordinate (default: none for moons, 0.2 for spirals). */
  noise?: number | null;
  generator?: Generator | null;
}

/** numpy.linspace in double: i * step + start, the last point exactly `stop`. */
function linspace(start: number, stop: number, num: number): number[] {
  if (num === 1) return [start];
  const step = (stop - start) / (num - 1);
  const out = Array.from({ length: num }, (_, i) => i * step + start);
  if (num > 1) out[num - 1] = stop;
  return out;
}

function checkCount(n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RuntimeError(`${name} must be a positive integer, but got ${n}`);
}

/** The points as a float32 [n, 2] tensor and the labels as int64. */
function toTensors(xy: Float64Array, labels: number[]): [Tensor, Tensor] {
  const X = allocate("float32", xy.length);
  X.set(xy);
  const y = allocate("int64", labels.length);
  y.set(labels);
  return [finish(X, [labels.length, 2], "float32", {}), finish(y, [labels.length], "int64", {})];
}

/** `[X, y]`: nSamples points on two interleaving half circles (X float32 [n, 2]), labelled 0 and 1. */
export function makeMoons(nSamples = 100, options: SyntheticOptions & { shuffle?: boolean } = {}): [Tensor, Tensor] {
  checkCount(nSamples, "nSamples");
  const gen = generatorOf(options, "makeMoons()");
  const nOut = Math.floor(nSamples / 2);
  const nIn = nSamples - nOut;
  const points: number[][] = [
    ...linspace(0, Math.PI, nOut).map((t) => [libmCos(t), libmSin(t)]),
    ...linspace(0, Math.PI, nIn).map((t) => [1 - libmCos(t), 1 - libmSin(t) - 0.5]),
  ];
  let labels = [...new Array<number>(nOut).fill(0), ...new Array<number>(nIn).fill(1)];
  let rows = points;
  if (options.shuffle ?? true) {
    const perm = Array.from(randperm(nSamples, gen));
    rows = perm.map((i) => points[i]);
    labels = perm.map((i) => labels[i]);
  }
  const xy = Float64Array.from(rows.flat());
  if (options.noise !== undefined && options.noise !== null) {
    const z = new Float64Array(xy.length);
    fillNormal(z, 0, 1, gen);
    for (let i = 0; i < xy.length; i++) xy[i] = xy[i] + options.noise * z[i];
  }
  return toTensors(xy, labels);
}

/** `[X, y]`: nClasses spiral arms of nPerClass points each (X float32 [nPerClass * nClasses, 2]), as cs231n's
 * `t = linspace(4j, 4(j + 1), N) + randn(N) * noise`, `X = [r sin t, r cos t]` with r from 0 to 1. */
export function makeSpirals(nPerClass = 100, nClasses = 3, options: SyntheticOptions = {}): [Tensor, Tensor] {
  checkCount(nPerClass, "nPerClass");
  checkCount(nClasses, "nClasses");
  const gen = generatorOf(options, "makeSpirals()");
  const noise = options.noise ?? 0.2;
  const xy = new Float64Array(nPerClass * nClasses * 2);
  const labels: number[] = [];
  const r = linspace(0, 1, nPerClass);
  for (let j = 0; j < nClasses; j++) {
    const z = new Float64Array(nPerClass);
    fillNormal(z, 0, 1, gen);
    linspace(j * 4, (j + 1) * 4, nPerClass).forEach((base, i) => {
      const t = base + z[i] * noise;
      const row = j * nPerClass + i;
      xy[2 * row] = r[i] * libmSin(t);
      xy[2 * row + 1] = r[i] * libmCos(t);
      labels.push(j);
    });
  }
  return toTensors(xy, labels);
}
