/** `nn.utils`: gradient clipping and the parameters as one vector. */
export { clipGradNorm_, clipGradValue_ } from "./clip";
export type { ClipGradNormOptions } from "./clip";
export { parametersToVector, vectorToParameters } from "./vector";
