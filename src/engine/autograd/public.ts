/** The `autograd` namespace: `autograd.grad`, `autograd.backward`, `autograd.detectAnomaly`, ... */
export { grad, backward } from "./backward";
export type { GradOptions } from "./backward";
export { detectAnomaly } from "./anomaly";
export { Function, FunctionCtx } from "./function";
export { gradcheck, GradcheckError } from "./gradcheck";
export type { GradcheckOptions } from "./gradcheck";
export { checkGraph, checkNodes, DEFAULT_TOLERANCE } from "./graph_check";
export { riddersDerivative } from "./numerical_derivative";
export type { LeafCheck, NodeCheck, Tolerance, GraphCheckOptions } from "./graph_check";
export { replayGraph } from "./replay";
export type { ReplayGraph } from "./replay";
export { gradgradcheck } from "./gradgradcheck";
export type { GradgradcheckOptions } from "./gradgradcheck";
export * as functional from "./functional";
export * as forwardAd from "./forward_ad";
