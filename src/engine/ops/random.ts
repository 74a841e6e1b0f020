/**
 * The random in-place methods and the sampling methods of Tensor, each taking `{ generator }` as PyTorch's take
 * `generator=`: uniform_, normal_, bernoulli_, exponential_, bernoulli, multinomial. They draw exactly as
 * PyTorch 1.13's CPU kernels (src/engine/random/); in-place ones bump the version counter and refuse a leaf that
 * requires grad while grad mode is on, as PyTorch does.
 */
import { isGradEnabled } from "../autograd/grad_mode";
import { bernoulli, multinomial, type MultinomialOptions } from "../create_random";
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import {
  fillBernoulliScalar, fillBernoulliTensor, fillExponential, fillNormal, fillUniform, type Generator, generatorOf,
} from "../random";
import { recorder } from "../recorder";
import { Tensor } from "../tensor";
import { broadcastCopy } from "../kernels/elementwise";

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

function fillInPlace<T extends Tensor>(t: T, where: string, fill: (data: FloatArray) => void): T {
  if (t.isLeaf && t._requiresGrad && isGradEnabled()) {
    throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
  }
  if (!isFloating(t.dtype)) throw new RuntimeError(`"${where}" not implemented for '${t.dtype === "int64" ? "Long" : "Bool"}'`);
  fill(t._data as FloatArray);
  t._storage.version++;
  if (recorder.current) recorder.current.onModified(t);
  return t;
}

Tensor.prototype.uniform_ = function <T extends Tensor>(this: T, from = 0, to = 1, options?: GeneratorOptions): T {
  const gen = generatorOf(options, "uniform_()");
  return fillInPlace(this, "check_uniform_bounds", (d) => fillUniform(d, from, to, gen));
};

Tensor.prototype.normal_ = function <T extends Tensor>(this: T, mean = 0, std = 1, options?: GeneratorOptions): T {
  const gen = generatorOf(options, "normal_()");
  return fillInPlace(this, "normal_kernel_cpu", (d) => fillNormal(d, mean, std, gen));
};

Tensor.prototype.exponential_ = function <T extends Tensor>(this: T, lambd = 1, options?: GeneratorOptions): T {
  const gen = generatorOf(options, "exponential_()");
  return fillInPlace(this, "exponential_cpu", (d) => fillExponential(d, lambd, gen));
};

Tensor.prototype.bernoulli_ = function <T extends Tensor>(this: T, p: number | Tensor = 0.5, options?: GeneratorOptions): T {
  const gen = generatorOf(options, "bernoulli_()");
  return fillInPlace(this, "bernoulli_scalar_cpu_", (d) => {
    if (typeof p === "number") return fillBernoulliScalar(d, p, gen);
    if (!(p instanceof Tensor) || !isFloating(p.dtype)) throw new TypeError("bernoulli_(): p must be a number or a floating point tensor");
    const probs = (p.dtype === "float32" ? new Float32Array(d.length) : new Float64Array(d.length)) as FloatArray;
    broadcastCopy(p._data, p.shape, probs, this.shape);
    fillBernoulliTensor(d, probs, gen);
  });
};

Tensor.prototype.bernoulli = function (this: Tensor, p?: number | GeneratorOptions, options?: GeneratorOptions): Tensor {
  return bernoulli(this, p, options);
};

Tensor.prototype.multinomial = function (this: Tensor, numSamples: number, replacement?: boolean | MultinomialOptions, options?: MultinomialOptions): Tensor {
  return multinomial(this, numSamples, replacement, options);
};
