/**
 * torch.nn.utils.parameters_to_vector and vector_to_parameters. The vector is the parameters' values joined in
 * order (`torch.cat` of their flattened views: grad_fn CatBackward0, so a loss of it reaches every parameter);
 * vector_to_parameters makes each parameter's data the matching slice of the vector, a view sharing its storage, as
 * PyTorch's `param.data = vec[a:b].view_as(param).data` does.
 */
import { RuntimeError } from "../../errors";
import { cat } from "../../ops/join";
import { Tensor } from "../../tensor";

/** One vector holding every parameter's values, in order (`torch.nn.utils.parameters_to_vector`). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const flat: Tensor[] = [];
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new TypeError(`parametersToVector(): expected tensors, but got ${typeof p}`);
    flat.push(p.view(-1));
  }
  return cat(flat);
}

/** Sets each parameter's values from its slice of `vec` (`torch.nn.utils.vector_to_parameters`). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${vec === null ? "NoneType" : typeof vec}`);
  const flat = vec.detach().reshape(-1);
  let pointer = 0;
  for (const p of parameters) {
    const n = p.numel();
    if (pointer + n > flat.numel()) {
      throw new RuntimeError(`shape '[${p.shape.join(", ")}]' is invalid for input of size ${Math.max(0, flat.numel() - pointer)}`);
    }
    p.data = flat.narrow(0, pointer, n).view(p.shape).data;
    pointer += n;
  }
}
