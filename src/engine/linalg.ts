/** `linalg`: torch.linalg. */
export { vectorNorm, matrixNorm, linalgNorm as norm } from "./ops/norms";
export type { MatrixOrd, NormOptions } from "./ops/norms";
export { inv, det, slogdet, solve, solveTriangular, cholesky } from "./ops/linalg_solve";
export type { SolveOptions, SolveTriangularOptions, CholeskyOptions } from "./ops/linalg_solve";
export { qr, eigh, eigvalsh, svd, svdvals, pinv } from "./ops/linalg_decompositions";
export type { QRMode, UPLO, SVDOptions, PinvOptions } from "./ops/linalg_decompositions";
export { linalgCross as cross, matrixPower } from "./ops/linalg_products";
export { matmul } from "./ops/linalg";
export { QRResult, EighResult, SVDResult, SlogdetResult, LinAlgError } from "./ops/linalg_batch";
