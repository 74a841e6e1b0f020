/** The torch.linalg ops that are also Tensor methods (`A.det()`, `A.inverse()`, `A.svd()`...). */
import { Tensor, addMethods } from "../tensor";
import type { SlogdetResult, TorchSVDResult } from "./linalg_batch";
import { pinverse, torchSvd } from "./linalg_decompositions";
import { det, inv, logdet, torchSlogdet } from "./linalg_solve";

declare module "../tensor" {
  interface Tensor {
    det(): Tensor;
    slogdet(): SlogdetResult;
    logdet(): Tensor;
    inverse(): Tensor;
    pinverse(rcond?: number): Tensor;
    /** torch.Tensor.svd(some=True): U, S and V (not Vh). */
    svd(some?: boolean): TorchSVDResult;
  }
}

addMethods({
  det(this: Tensor) {
    return det(this);
  },
  slogdet(this: Tensor) {
    return torchSlogdet(this);
  },
  logdet(this: Tensor) {
    return logdet(this);
  },
  inverse(this: Tensor) {
    return inv(this);
  },
  pinverse(this: Tensor, rcond?: number) {
    return pinverse(this, rcond);
  },
  svd(this: Tensor, some?: boolean) {
    return torchSvd(this, some);
  },
});
