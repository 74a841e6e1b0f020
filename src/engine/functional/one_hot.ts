/** F.oneHot: class indices as one-hot int64 rows. */
import { RuntimeError } from "../errors";
import { indexTensor } from "../ops/index_args";
import { apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import type { Tensor } from "../tensor";

const oneHotOp = defineOp<number>({
  name: "oneHot",
  gradFnName: "None",
  differentiable: false,
  forward: ([t], classes) => {
    const out = empty([...t.shape, classes], "int64");
    const labels = t._data;
    const dst = out._data;
    for (let k = 0; k < labels.length; k++) dst[k * classes + labels[k]] = 1;
    return out;
  },
  backward: () => [null],
});

/** `torch.nn.functional.one_hot(tensor, num_classes=-1)`: a new last dim of numClasses (by default the largest
 * class + 1) holding 1 at each element's class and 0 elsewhere, as int64. */
export function oneHot(t: Tensor, numClasses = -1): Tensor {
  const labels = indexTensor(t, "one_hot(): tensor", () => new RuntimeError("one_hot is only applicable to index tensor."));
  if (!Number.isInteger(numClasses)) throw new TypeError(`one_hot(): numClasses must be an integer, but got ${numClasses}`);
  if (labels.numel() === 0) {
    if (numClasses <= 0) throw new RuntimeError("Can not infer total number of classes from empty tensor.");
    return apply(oneHotOp, [labels], numClasses);
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of labels._data) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  if (min < 0) throw new RuntimeError("Class values must be non-negative.");
  if (numClasses === -1) numClasses = max + 1;
  else if (numClasses <= max) throw new RuntimeError("Class values must be smaller than num_classes.");
  const out = apply(oneHotOp, [labels], numClasses);
  // PyTorch fills zeros and then scatters the ones in place: its result is at version 2 (`x._version`).
  out._storage.version = 2;
  return out;
}
