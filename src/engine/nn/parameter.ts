/** nn.Parameter: a leaf tensor that requires grad and that a Module registers as one of its parameters. */
import { Tensor } from "../tensor";

export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(data._storage, data.shape.slice(), data.dtype);
    this._requiresGrad = requiresGrad;
  }

  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
