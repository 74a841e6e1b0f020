/** `linalg`: torch.linalg. */
export { vectorNorm, matrixNorm, linalgNorm as norm } from "./ops/norms";
export type { MatrixOrd, NormOptions } from "./ops/norms";
