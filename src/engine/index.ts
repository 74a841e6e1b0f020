/**
 * Gradlens's autograd engine: PyTorch's semantics in TypeScript. Snippets import it as "gradlens"; Node code can
 * require the built `dist/engine.js`.
 */
// The Tensor class first: the op families below add its methods (see tensor.ts).
export { Tensor, Storage } from "./tensor";
import "./ops/arith";
import "./ops/unary";
import "./ops/compare";
import "./ops/reduce";
import "./ops/linalg";
import "./ops/views";
import "./ops/copy";
import "./ops/slicing";
import "./ops/inplace";
import "./ops/masked";
import "./ops/gather_scatter";
import "./ops/index_select";
import "./ops/rearrange";
import "./ops/triangular";
import "./ops/pointwise_math";
import "./ops/rounding";
import "./ops/special";
import "./ops/binary_math";
import "./ops/reduce_stats";
import "./ops/reduce_more";
import "./ops/reduce_minmax";
import "./ops/scan";
import "./ops/sorting";
import "./ops/norms";
import "./ops/logical";
import "./ops/types";
import "./ops/inplace_catalogue";
import "./ops/linalg_products";
import "./ops/linalg_methods";
import "./autograd/backward";
import "./autograd/view_history";
export { Slice, SliceIndex, Ellipsis, None, Slice as slice } from "./ops/indexing";
export type { IndexEntry, Indices } from "./ops/indexing";
export * as indexing from "./ops/indexing_namespace";
export type { BackwardOptions, GradHook, NestedNumbers, TensorOrScalar } from "./tensor";
export type { DType } from "./dtype";
export { RuntimeError, IndexError } from "./errors";
export { GradFn, AccumulateGrad, Node } from "./autograd/node";
export type { NextFunction } from "./autograd/node";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./autograd/grad_mode";
export {
  tensor, zeros, ones, full, eye, arange, linspace, rand, randn, randint,
  zerosLike, onesLike, fullLike, randLike, randnLike, manualSeed,
} from "./create";
export type { TensorOptions, NestedData } from "./create";
export * from "./functions";
export { ValuesIndices } from "./ops/reduce";
export { NDArray } from "./ndarray";
export { setPrintOptions, sprintf } from "./print";
export { setRecorder } from "./recorder";
export type { Recorder } from "./recorder";
export * as autograd from "./autograd/public";
export * as F from "./functional";
export * as nn from "./nn";
export * as optim from "./optim";
export { ValueError, KeyError } from "./errors";
export { randperm, empty, emptyLike, normal, bernoulli, multinomial, initialSeed, seed, getRngState, setRngState, defaultGenerator } from "./create_random";
export type { MultinomialOptions } from "./create_random";
export type { RandomOptions } from "./create";
export { Generator } from "./random";
export type { GeneratorState } from "./random";
export type { GeneratorOptions } from "./ops/random";
import "./ops/random";
export * as utils from "./utils";
export * from "./functions_catalogue";
export * as linalg from "./linalg";
export { MinMax } from "./ops/return_types";
export { logspace } from "./create";
export { Device, device, cuda } from "./device";
export type { DeviceLike } from "./device";
export { float32, float64, int64, bool, float, double, long } from "./ops/types";
export { unique, uniqueConsecutive, bincount, histc } from "./ops/counting";
export type { UniqueOptions, UniqueConsecutiveOptions, BincountOptions, HistcOptions } from "./ops/counting";
export { searchsorted, bucketize } from "./ops/sorted_search";
export type { SearchsortedOptions } from "./ops/sorted_search";
export { diff, trapezoid, trapz, cumulativeTrapezoid } from "./ops/differences";
export type { DiffOptions, TrapezoidOptions } from "./ops/differences";
export { rot90 } from "./ops/rotation";
export { quantile, nanquantile } from "./ops/quantiles";
export type { QuantileOptions, QuantileInterpolation } from "./ops/quantiles";
export { cov, corrcoef } from "./ops/covariance";
export type { CovOptions } from "./ops/covariance";
export { copysign, nextafter, ldexp, fmax, fmin, heaviside, gcd, lcm } from "./ops/pointwise_binary";
