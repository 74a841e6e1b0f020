/** The `autograd` namespace: `autograd.grad`, `autograd.backward`, `autograd.detectAnomaly`, ... */
export { grad, backward } from "./backward";
export type { GradOptions } from "./backward";
export { detectAnomaly } from "./anomaly";
export { Function, FunctionCtx } from "./function";
