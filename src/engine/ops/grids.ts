/**
 * Grids of coordinates: meshgrid (views: each input reshaped and expanded, as PyTorch builds them), and on top of it
 * cartesianProd and combinations, which stack the grids' columns.
 */
import { RuntimeError } from "../errors";
import { warn } from "../recorder";
import { formatShape } from "../shape";
import { Tensor } from "../tensor";
import { requireTensor } from "./index_args";
import { stack } from "./join";
import { maskedSelect } from "./masked";
import { empty } from "./operands";
import { expandAlways, flatten, view } from "./views";

export type MeshgridIndexing = "ij" | "xy";

export interface MeshgridOptions {
  /** "ij": the first tensor varies along dim 0 (matrix indexing); "xy": along dim 1 (Cartesian). PyTorch 1.13 warns
   * when it is not given and uses "ij". */
  indexing?: MeshgridIndexing;
}

type MeshgridArg = Tensor | readonly Tensor[] | MeshgridOptions;

function splitArgs(args: readonly MeshgridArg[]): { tensors: Tensor[]; options: MeshgridOptions } {
  let rest = args;
  let options: MeshgridOptions = {};
  const last = args[args.length - 1];
  if (last !== undefined && !(last instanceof Tensor) && !Array.isArray(last)) {
    options = last as MeshgridOptions;
    rest = args.slice(0, -1);
  }
  const list = rest.length === 1 && Array.isArray(rest[0]) ? (rest[0] as readonly unknown[]) : (rest as readonly unknown[]);
  return { tensors: list.map((t, i) => requireTensor(t, `meshgrid(): tensors[${i}]`)), options };
}

/**
 * `torch.meshgrid(*tensors, indexing)`: for N 0-D or 1-D tensors, N tensors of the shape of all their lengths, the
 * i-th varying along its own dim. `meshgrid(a, b, {indexing: "xy"})`, or `meshgrid([a, b], {indexing: "ij"})`.
 */
export function meshgrid(...args: MeshgridArg[]): Tensor[] {
  const { tensors, options } = splitArgs(args);
  const indexing = options.indexing;
  if (indexing === undefined) warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.");
  return grids(tensors, indexing ?? "ij");
}

function grids(tensors: Tensor[], indexing: string): Tensor[] {
  if (tensors.length === 0) throw new RuntimeError("meshgrid expects a non-empty TensorList");
  for (let i = 0; i + 1 < tensors.length; i++) {
    if (tensors[i].dtype !== tensors[i + 1].dtype) throw new RuntimeError("meshgrid expects all tensors to have the same dtype");
  }
  if (indexing !== "ij" && indexing !== "xy") throw new RuntimeError(`torch.meshgrid: indexing must be one of "xy" or "ij", but received: ${indexing}`);
  for (const t of tensors) {
    if (t.ndim > 1) throw new RuntimeError(`torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: ${t.toString()}`);
  }
  // "xy" is "ij" with the first two inputs (and outputs) swapped.
  const swap = indexing === "xy" && tensors.length >= 2;
  const refs = swap ? [tensors[1], tensors[0], ...tensors.slice(2)] : tensors;
  const shape = refs.map((t) => t.numel());
  const out = refs.map((t, i) => {
    const viewShape = shape.map((_, k) => (k === i ? -1 : 1));
    return expandAlways(view(t, [viewShape]), shape);
  });
  if (swap) [out[0], out[1]] = [out[1], out[0]];
  return out;
}

function vector(t: unknown, what: string): Tensor {
  const v = requireTensor(t, what);
  if (v.ndim !== 1) throw new RuntimeError(`Expect a 1D vector, but got shape ${formatShape(v.shape)}`);
  return v;
}

/** `torch.cartesian_prod(*tensors)`: every combination of one element from each 1-D tensor, one per row. */
export function cartesianProd(...tensors: Array<Tensor | readonly Tensor[]>): Tensor {
  const list = (tensors.length === 1 && Array.isArray(tensors[0]) ? tensors[0] : tensors) as unknown[];
  const vectors = list.map((t, i) => vector(t, `cartesian_prod(): tensors[${i}]`));
  if (vectors.length === 1) return vectors[0];
  return stack(grids(vectors, "ij").map((g) => flatten(g)), 1);
}

/** `torch.combinations(input, r=2, with_replacement=False)`: the r-element combinations of a 1-D tensor's elements
 * (in order, as itertools.combinations), one per row. */
export function combinations(t: Tensor, r = 2, withReplacement = false): Tensor {
  const v = vector(t, "combinations(): input");
  if (!Number.isInteger(r) || r < 0) throw new RuntimeError(`Expect a non-negative number, but got ${r}`);
  if (r === 0) return empty([0], v.dtype);
  const g = grids(new Array<Tensor>(r).fill(v), "ij");
  const mask = orderedMask(v.numel(), r, withReplacement);
  return stack(g.map((x) => maskedSelect(x, mask)), 1);
}

/** True at the grid positions (i1, ..., ir) with i1 < i2 < ... (or <= with replacement): each combination once. */
function orderedMask(n: number, r: number, withReplacement: boolean): Tensor {
  const shape = new Array<number>(r).fill(n);
  const out = empty(shape, "bool");
  const data = out._data;
  const at = new Array<number>(r).fill(0);
  for (let k = 0; k < data.length; k++) {
    let ok = true;
    for (let i = 1; i < r && ok; i++) ok = withReplacement ? at[i - 1] <= at[i] : at[i - 1] < at[i];
    data[k] = ok ? 1 : 0;
    for (let d = r - 1; d >= 0; d--) {
      if (++at[d] < n) break;
      at[d] = 0;
    }
  }
  return out;
}
