/**
 * The random in-place methods and the sampling methods of Tensor, each taking `{ generator }` as PyTorch's take
 * `generator=`: uniform_, normal_, bernoulli_, exponential_, bernoulli, multinomial. They draw exactly as
 * PyTorch 1.13's CPU kernels (src/engine/random/). A tensor that is not contiguous is filled in memory order, one
 * draw per element (PyTorch's TensorIterator order), and normal_ then draws scalar by scalar as PyTorch's serial
 * kernel does.
 */
import { isGradEnabled } from "../autograd/grad_mode";
import { bernoulli, multinomial, type MultinomialOptions } from "../create_random";
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastCopy } from "../kernels/elementwise";
import {
  fillBernoulliScalar, fillBernoulliTensor, fillExponential, fillNormal, fillNormalSerial, fillUniform, type Generator,
  generatorOf,
} from "../random";
import { recorder } from "../recorder";
import { addMethods, Tensor } from "../tensor";
import { writeValues } from "./write";
import { checkInplace } from "./inplace";

export interface GeneratorOptions {
  generator?: Generator | null;
}

declare module "../tensor" {
  interface Tensor {
    /** Fills with uniform samples on [from, to), as `uniform_(from, to, generator=)`. */
    uniform_(from?: number, to?: number, options?: GeneratorOptions): this;
    /** Fills with normal samples, as `normal_(mean, std, generator=)`. */
    normal_(mean?: number, std?: number, options?: GeneratorOptions): this;
    /** Fills with 0/1 draws, 1 with probability p (a number, or a tensor broadcast to this one's shape). */
    bernoulli_(p?: number | Tensor, options?: GeneratorOptions): this;
    /** Fills with exponential samples of rate lambd. */
    exponential_(lambd?: number, options?: GeneratorOptions): this;
    /** 0/1 draws, 1 with the probability each element holds (or p), as `torch.bernoulli`. */
    bernoulli(p?: number | GeneratorOptions, options?: GeneratorOptions): Tensor;
    /** Indices drawn from each row of this tensor of probabilities, as `torch.multinomial`. */
    multinomial(numSamples: number, replacement?: boolean | MultinomialOptions, options?: MultinomialOptions): Tensor;
  }
}

type FloatArray = Float32Array | Float64Array;

/** The row-major positions of t's elements, ordered by where they sit in storage. */
function memoryOrder(t: Tensor): number[] {
  const offsets = new Float64Array(t._numel);
  const strides = t._strides;
  const index = new Array<number>(t.ndim).fill(0);
  for (let k = 0; k < t._numel; k++) {
    let off = t._offset;
    for (let d = 0; d < t.ndim; d++) off += index[d] * strides[d];
    offsets[k] = off;
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++index[d] < t.shape[d]) break;
      index[d] = 0;
    }
  }
  return Array.from({ length: t._numel }, (_, k) => k).sort((a, b) => offsets[a] - offsets[b]);
}

/**
 * Runs `fill` over t's values in PyTorch's draw order and writes them in: directly into a contiguous tensor's
 * memory (`order` null); for any other, into a buffer in memory order that is then put in place (`order` gives the
 * row-major position of each buffer slot; PyTorch draws element by element there).
 */
export function randomFill<T extends Tensor>(t: T, where: string, fill: (data: FloatArray, order: number[] | null) => void): T {
  checkInplace(t, isGradEnabled() && t.requiresGrad);
  if (!isFloating(t.dtype)) throw new RuntimeError(`"${where}" not implemented for '${t.dtype === "int64" ? "Long" : "Bool"}'`);
  if (t._contiguous) {
    fill(t._data as FloatArray, null);
  } else {
    const order = memoryOrder(t);
    const drawn = (t.dtype === "float32" ? new Float32Array(t._numel) : new Float64Array(t._numel)) as FloatArray;
    fill(drawn, order);
    const values = (t._data as FloatArray).slice();
    order.forEach((pos, k) => (values[pos] = drawn[k]));
    writeValues(t, values);
  }
  t._bumpVersion();
  if (recorder.current) recorder.current.onModified(t);
  return t;
}

addMethods({
  uniform_(this: Tensor, from = 0, to = 1, options?: GeneratorOptions) {
    const gen = generatorOf(options, "uniform_()");
    return randomFill(this, "check_uniform_bounds", (d) => fillUniform(d, from, to, gen));
  },
  normal_(this: Tensor, mean = 0, std = 1, options?: GeneratorOptions) {
    const gen = generatorOf(options, "normal_()");
    return randomFill(this, "normal_kernel_cpu", (d, order) => (order ? fillNormalSerial(d, mean, std, gen) : fillNormal(d, mean, std, gen)));
  },
  exponential_(this: Tensor, lambd = 1, options?: GeneratorOptions) {
    const gen = generatorOf(options, "exponential_()");
    return randomFill(this, "exponential_cpu", (d) => fillExponential(d, lambd, gen));
  },
  bernoulli_(this: Tensor, p: number | Tensor = 0.5, options?: GeneratorOptions) {
    const gen = generatorOf(options, "bernoulli_()");
    if (typeof p !== "number" && !(p instanceof Tensor && isFloating(p.dtype))) throw new TypeError("bernoulli_(): p must be a number or a floating point tensor");
    return randomFill(this, "bernoulli_scalar_cpu_", (d, order) => {
      if (typeof p === "number") return fillBernoulliScalar(d, p, gen);
      const probs = (p.dtype === "float32" ? new Float32Array(d.length) : new Float64Array(d.length)) as FloatArray;
      broadcastCopy(p._data, p.shape, probs, this.shape);
      fillBernoulliTensor(d, order ? probs.map((_, k) => probs[order[k]]) : probs, gen);
    });
  },
  bernoulli(this: Tensor, p?: number | GeneratorOptions, options?: GeneratorOptions) {
    return bernoulli(this, p, options);
  },
  multinomial(this: Tensor, numSamples: number, replacement?: boolean | MultinomialOptions, options?: MultinomialOptions) {
    return multinomial(this, numSamples, replacement, options);
  },
});
