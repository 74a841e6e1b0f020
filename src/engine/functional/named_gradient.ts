/**
 * PyTorch gives some backward functions a node of their own (NativeBatchNormBackwardBackward0: the gradients of
 * batch norm, as one op that can itself be differentiated). Where Gradlens computes such gradients with differentiable
 * ops instead (only when a graph of the gradient is wanted), this op gathers them under one node of PyTorch's name:
 * its outputs are its inputs, and its backward passes each gradient through to the ops beneath.
 */
import { applyMulti, defineMultiOp } from "../ops/op";
import { Tensor } from "../tensor";

const namedOp = defineMultiOp<string>({
  name: "namedGradient",
  gradFnName: (name) => name,
  forward: (inputs) => inputs.map((t) => new Tensor(t._storage, t.shape.slice(), t.dtype, t._strides.slice(), t._offset)),
  backward: (_, grads) => grads.slice(),
});

/** The tensors (null where absent) as outputs of one node named `name`. */
export function underOneNode(name: string, tensors: ReadonlyArray<Tensor | null>): Array<Tensor | null> {
  const present = tensors.filter((t): t is Tensor => t !== null);
  if (!present.length) return tensors.slice();
  const outs = applyMulti(namedOp, present, name);
  let k = 0;
  return tensors.map((t) => (t === null ? null : outs[k++]));
}
