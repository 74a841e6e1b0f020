/**
 * Gradlens's autograd engine: PyTorch's semantics in TypeScript. Snippets import it as "gradlens"; Node code can
 * require the built `dist/engine.js`.
 */
export { Tensor, Storage } from "./tensor";
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
import "./ops/unary_methods";
export { logspace } from "./create";
