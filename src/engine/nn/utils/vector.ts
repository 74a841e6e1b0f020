/**
 * torch.nn.utils.parameters_to_vector and vector_to_parameters. The vector is the parameters' values joined in
 * order (grad_fn CatBackward0, so a loss of it reaches every parameter); vector_to_parameters sets each parameter's
 * data from its slice.
 *
 * The joining op is defined here, with its slicing inverse for the backward, until the tensor core has `cat`
 * (then these two give way to it). Unlike PyTorch, which makes each parameter a view into `vec`, the parameters get
 * their own copy of the values: this engine's tensors cannot yet be views at an offset.
 */
import { RuntimeError } from "../../errors";
import { apply, defineOp, type OpDef } from "../../ops/op";
import { empty } from "../../ops/operands";
import { Tensor } from "../../tensor";

interface SliceAttrs {
  start: number;
  length: number;
}

/** The 1-D slice vec[start:start + length] (PyTorch's SliceBackward0). */
const slice1dOp: OpDef<SliceAttrs> = defineOp<SliceAttrs>({
  name: "slice1d",
  gradFnName: "SliceBackward0",
  forward: ([v], { start, length }) => {
    const out = empty([length], v.dtype);
    out._data.set(v._data.subarray(start, start + length));
    return out;
  },
  backward: ({ inputs: [v], attrs: { start, length } }, g) => {
    const before = empty([start], g.dtype);
    const after = empty([v.shape[0] - start - length], g.dtype);
    return [apply(cat1dOp, [before, g, after], undefined)];
  },
});

/** 1-D vectors joined end to end (PyTorch's CatBackward0). */
const cat1dOp: OpDef<void> = defineOp({
  name: "cat1d",
  gradFnName: "CatBackward0",
  forward: (parts) => {
    const n = parts.reduce((sum, p) => sum + p.shape[0], 0);
    const out = empty([n], parts[0].dtype);
    let offset = 0;
    for (const p of parts) {
      out._data.set(p._data, offset);
      offset += p.shape[0];
    }
    return out;
  },
  backward: ({ inputs, needsInputGrad }, g) => {
    let offset = 0;
    return inputs.map((p, i) => {
      const start = offset;
      offset += p.shape[0];
      return needsInputGrad[i] ? apply(slice1dOp, [g], { start, length: p.shape[0] }) : null;
    });
  },
});

/** One vector holding every parameter's values, in order (`torch.nn.utils.parameters_to_vector`). */
export function parametersToVector(parameters: Iterable<Tensor>): Tensor {
  const flat: Tensor[] = [];
  for (const p of parameters) {
    if (!(p instanceof Tensor)) throw new TypeError(`parametersToVector(): expected tensors, but got ${typeof p}`);
    flat.push(p.view(-1));
  }
  if (flat.length === 0) throw new RuntimeError("torch.cat(): expected a non-empty list of Tensors");
  const dtypes = new Set(flat.map((t) => t.dtype));
  if (dtypes.size > 1) throw new RuntimeError(`parametersToVector(): all parameters must have one dtype, but got ${[...dtypes].join(" and ")}`);
  return apply(cat1dOp, flat, undefined);
}

/** Sets each parameter's values from its slice of `vec` (`torch.nn.utils.vector_to_parameters`). */
export function vectorToParameters(vec: Tensor, parameters: Iterable<Tensor>): void {
  if (!(vec instanceof Tensor)) throw new TypeError(`expected torch.Tensor, but got: ${vec === null ? "NoneType" : typeof vec}`);
  const values = vec.detach()._data;
  let pointer = 0;
  for (const p of parameters) {
    const n = p.numel();
    if (pointer + n > values.length) {
      throw new RuntimeError(`shape '[${p.shape.join(", ")}]' is invalid for input of size ${Math.max(0, values.length - pointer)}`);
    }
    const data = empty(p.shape.slice(), p.dtype);
    const slice = values.subarray(pointer, pointer + n);
    if (data.dtype === vec.dtype) data._data.set(slice);
    else for (let i = 0; i < n; i++) data._data[i] = data.dtype === "float32" ? Math.fround(slice[i]) : slice[i];
    p.data = data;
    pointer += n;
  }
}
