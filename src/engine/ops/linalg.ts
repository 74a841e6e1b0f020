/**
 * Matrix products. `mm` and `bmm` are the primitives (over the gemm kernel, with transposes read in place so that
 * backward copies nothing); `matmul` dispatches on the operands' ranks exactly as PyTorch's does, so the graph it
 * leaves has PyTorch's nodes (`x @ W` with 1-D x is SqueezeBackward3 → MmBackward0).
 */
import type { DType } from "../dtype";
import { RuntimeError } from "../errors";
import { gemm } from "../kernels/matmul";
import { broadcastShapes, numelOf, sameShape } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { crossSaved } from "./arith";
import { apply, defineOp } from "./op";
import { empty } from "./operands";
import { clone } from "./copy";
import { expandAlways, t, transpose, viewAs } from "./views";

type FloatLike = Float32Array | Float64Array;

/** mm's inputs may be read transposed: `transA` means the stored a is k×m and the product uses aᵀ. */
interface MmAttrs {
  transA: boolean;
  transB: boolean;
}

function rows(t: Tensor, trans: boolean): number {
  return trans ? t.shape[1] : t.shape[0];
}

function cols(t: Tensor, trans: boolean): number {
  return trans ? t.shape[0] : t.shape[1];
}

function matmulDType(a: Tensor, b: Tensor, what: string): DType {
  if (a.dtype !== b.dtype) {
    throw new RuntimeError(`expected ${what} to have the same dtype, but got: ${dtypeShort(a.dtype)} != ${dtypeShort(b.dtype)}`);
  }
  if (a.dtype === "bool") throw new RuntimeError(`"addmm_impl_cpu_" not implemented for 'Bool'`);
  return a.dtype;
}

function dtypeShort(d: DType): string {
  return { float32: "float", float64: "double", int64: "long int", bool: "bool" }[d];
}

/** A matrix as gemm reads it: row-major storage, or a transposed view read in place as its base transposed (what
 * `x @ w.t()` in every Linear layer passes), else a row-major copy. */
function matrixOperand(t: Tensor, trans: boolean): { data: FloatLike; offset: number; trans: boolean } {
  if (t._contiguous) return { data: t._storage.data as FloatLike, offset: t._offset, trans };
  const [rowsStride, colsStride] = t._strides;
  if (colsStride === Math.max(t.shape[0], 1) && rowsStride === 1) return { data: t._storage.data as FloatLike, offset: t._offset, trans: !trans };
  return { data: t._data as FloatLike, offset: 0, trans };
}

function mmForward(a: Tensor, b: Tensor, { transA, transB }: MmAttrs): Tensor {
  const m = rows(a, transA);
  const k = cols(a, transA);
  const n = cols(b, transB);
  const out = empty([m, n], a.dtype);
  const A = matrixOperand(a, transA);
  const B = matrixOperand(b, transB);
  gemm(m, n, k, A.data, A.offset, A.trans, B.data, B.offset, B.trans, out._data as FloatLike, 0);
  return out;
}

/**
 * The gradients of C = op(A)·op(B), each again one mm with flags, so nothing is transposed by copying. As PyTorch's
 * mm_mat1_backward and mm_mat2_backward do, the gradient of a column-major operand (the `w.t()` of every Linear
 * layer) is formed as the transpose of a row-major product, so that it reaches the column-major tensor's base (the
 * weight, through TBackward) row-major, and accumulating it there reads memory in order. The elements are the same
 * sums of the same products in the same order either way.
 */
function mmBackward(a: Tensor, b: Tensor, { transA, transB }: MmAttrs, g: Tensor, needs: readonly boolean[]): Array<Tensor | null> {
  const plain = !transA && !transB;
  return [
    needs[0] ? (transA ? mmFlags(b, g, transB, true) : plain && columnMajor(a) ? mmFlags(b, g, false, true).t() : mmFlags(g, b, false, !transB)) : null,
    needs[1] ? (transB ? mmFlags(g, a, true, transA) : plain && columnMajor(b) ? mmFlags(g, a, true, false).t() : mmFlags(a, g, !transA, false)) : null,
  ];
}

/** A transposed row-major matrix (strides [1, rows]), PyTorch's test for returning a gradient column-major. */
function columnMajor(t: Tensor): boolean {
  return t._strides[0] === 1 && t._strides[1] === t.shape[0];
}

const mmOp = defineOp<MmAttrs>({
  name: "mm",
  gradFnName: "MmBackward0",
  forward: ([a, b], attrs) => mmForward(a, b, attrs),
  backward: ({ inputs: [a, b], attrs, needsInputGrad }, g) => mmBackward(a, b, attrs, g, needsInputGrad),
  saves: { inputs: crossSaved },
});

/** @internal mm with its operands read transposed where the flags say. */
export function mmFlags(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return apply(mmOp, [a, b], { transA, transB });
}

export function mm(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 2) throw new RuntimeError("self must be a matrix");
  if (b.ndim !== 2) throw new RuntimeError("mat2 must be a matrix");
  if (a.shape[1] !== b.shape[0]) {
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`);
  }
  matmulDType(a, b, "mat1 and mat2");
  return mmFlags(a, b, false, false);
}

/** bias + a·bᵀ-or-b, PyTorch's addmm (what `F.linear` and `nn.Linear` make for 2-D input). */
const addmmOp = defineOp<MmAttrs>({
  name: "addmm",
  gradFnName: "AddmmBackward0",
  forward: ([bias, a, b], attrs) => {
    const out = mmForward(a, b, attrs);
    const n = out.shape[1];
    const bd = bias._data;
    const od = out._data;
    if (bias.numel() === n) for (let i = 0; i < od.length; i++) od[i] += bd[i % n];
    else if (bias.numel() === 1) for (let i = 0; i < od.length; i++) od[i] += bd[0];
    else for (let i = 0; i < od.length; i++) od[i] += bd[i];
    return out;
  },
  backward: ({ inputs: [, a, b], attrs, needsInputGrad: [db, ...rest] }, g) => [db ? g : null, ...mmBackward(a, b, attrs, g, rest)],
  saves: { inputs: ([, da, db]) => crossSaved([da, db]).map((i) => i + 1) },
});

export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  if (a.shape[1] !== b.shape[0]) {
    throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${a.shape[0]}x${a.shape[1]} and ${b.shape[0]}x${b.shape[1]})`);
  }
  broadcastShapes(bias.shape, [a.shape[0], b.shape[1]]);
  matmulDType(a, b, "mat1 and mat2");
  return apply(addmmOp, [bias, a, b], { transA: false, transB: false });
}

const dotOp = defineOp({
  name: "dot",
  gradFnName: "DotBackward0",
  forward: ([a, b]) => {
    const out = empty([], a.dtype);
    const x = a._data;
    const y = b._data;
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    out._data[0] = s;
    return out;
  },
  backward: ({ inputs: [a, b], needsInputGrad: [da, db] }, g) => [da ? g.mul(b) : null, db ? g.mul(a) : null],
  saves: { inputs: crossSaved },
});

export function dot(a: Tensor, b: Tensor): Tensor {
  if (a.ndim !== 1 || b.ndim !== 1) throw new RuntimeError(`1D tensors expected, but got ${a.ndim}D and ${b.ndim}D tensors`);
  if (a.shape[0] !== b.shape[0]) {
    throw new RuntimeError(`inconsistent tensor size, expected tensor [${a.shape[0]}] and src [${b.shape[0]}] to have the same number of elements, but got ${a.shape[0]} and ${b.shape[0]} elements respectively`);
  }
  matmulDType(a, b, "both vectors");
  return apply(dotOp, [a, b], undefined);
}

const mvOp = defineOp({
  name: "mv",
  gradFnName: "MvBackward0",
  forward: ([a, v]) => {
    const out = empty([a.shape[0]], a.dtype);
    gemm(a.shape[0], 1, a.shape[1], a._data as FloatLike, 0, false, v._data as FloatLike, 0, false, out._data as FloatLike, 0);
    return out;
  },
  backward: ({ inputs: [a, v], needsInputGrad: [da, dv] }, g) => [
    da ? mmFlags(g.reshape(g.numel(), 1), v.reshape(1, v.numel()), false, false) : null,
    dv ? mmFlags(a, g.reshape(g.numel(), 1), true, false).reshape(v.numel()) : null,
  ],
  saves: { inputs: crossSaved },
});

export function mv(a: Tensor, v: Tensor): Tensor {
  if (a.ndim !== 2 || v.ndim !== 1) throw new RuntimeError(`vector + matrix @ vector expected, got ${a.ndim}, ${v.ndim}`);
  if (a.shape[1] !== v.shape[0]) {
    throw new RuntimeError(`size mismatch, got input (${a.shape[0]}), mat (${a.shape[0]}x${a.shape[1]}), vec (${v.shape[0]})`);
  }
  matmulDType(a, v, "mat and vec");
  return apply(mvOp, [a, v], undefined);
}

const bmmOp = defineOp<MmAttrs>({
  name: "bmm",
  gradFnName: "BmmBackward0",
  forward: ([a, b], { transA, transB }) => {
    const batch = a.shape[0];
    const m = transA ? a.shape[2] : a.shape[1];
    const k = transA ? a.shape[1] : a.shape[2];
    const n = transB ? b.shape[1] : b.shape[2];
    const out = empty([batch, m, n], a.dtype);
    for (let i = 0; i < batch; i++) {
      gemm(m, n, k, a._data as FloatLike, i * m * k, transA, b._data as FloatLike, i * k * n, transB, out._data as FloatLike, i * m * n);
    }
    return out;
  },
  backward: ({ inputs: [a, b], attrs: { transA, transB }, needsInputGrad: [da, db] }, g) => [
    da ? (transA ? bmmFlags(b, g, transB, true) : bmmFlags(g, b, false, !transB)) : null,
    db ? (transB ? bmmFlags(g, a, true, transA) : bmmFlags(a, g, !transA, false)) : null,
  ],
  saves: { inputs: crossSaved },
});

/** @internal bmm with its operands read transposed where the flags say. */
export function bmmFlags(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  return apply(bmmOp, [a, b], { transA, transB });
}

/** `a @ b` for operands of any rank, as torch.matmul. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const da = a.ndim;
  const db = b.ndim;
  if (da === 0 || db === 0) {
    throw new RuntimeError(`both arguments to matmul need to be at least 1D, but they are ${da}D and ${db}D`);
  }
  if (da === 1 && db === 1) return dot(a, b);
  if (da === 2 && db === 1) return mv(a, b);
  if (da === 1 && db === 2) return viewAs(mm(viewAs(a, [1, a.shape[0]], "UnsqueezeBackward0"), b), [b.shape[1]], "SqueezeBackward3");
  if (da === 2 && db === 2) return mm(a, b);
  if (da >= 3 && (db === 1 || db === 2)) {
    // Fold the batch dims of a into its rows: one mm (or mv) instead of a batch of small ones.
    const k = a.shape[da - 1];
    const folded = viewAs(a, [numelOf(a.shape) / k, k], "ReshapeAliasBackward0");
    if (db === 1) return viewAs(mv(folded, b), a.shape.slice(0, -1), "UnsafeViewBackward0");
    return viewAs(mm(folded, b), [...a.shape.slice(0, -1), b.shape[1]], "UnsafeViewBackward0");
  }
  if (da <= 2 && db >= 3) {
    // PyTorch folds b instead: (bᵀ folded) · aᵀ, then transposes back.
    const k = b.shape[db - 2];
    const p = b.shape[db - 1];
    const batch = b.shape.slice(0, -2);
    const folded = viewAs(clone(transpose(b, -1, -2)), [numelOf(b.shape) / k, k], "UnsafeViewBackward0");
    if (da === 1) return viewAs(mv(folded, a), [...batch, p], "UnsafeViewBackward0");
    const product = viewAs(mm(folded, t(a)), [...batch, p, a.shape[0]], "UnsafeViewBackward0");
    return clone(transpose(product, -1, -2));
  }
  return batchedMatmul(a, b);
}

function batchedMatmul(a: Tensor, b: Tensor): Tensor {
  const a2 = a.ndim === 1 ? viewAs(a, [1, a.shape[0]], "UnsqueezeBackward0") : a;
  const b2 = b.ndim === 1 ? viewAs(b, [b.shape[0], 1], "UnsqueezeBackward0") : b;
  const n = a2.shape[a2.ndim - 2];
  const k = a2.shape[a2.ndim - 1];
  const k2 = b2.shape[b2.ndim - 2];
  const p = b2.shape[b2.ndim - 1];
  if (k !== k2) {
    throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${numelOf(a2.shape.slice(0, -2))}, ${k}] but got: [${numelOf(b2.shape.slice(0, -2))}, ${k2}].`);
  }
  const batch = broadcastShapes(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const size = numelOf(batch);
  const a3 = foldBatch(a2, [...batch, n, k], [size, n, k]);
  const b3 = foldBatch(b2, [...batch, k, p], [size, k, p]);
  matmulDType(a, b, "batch1 and batch2");
  const out = bmmFlags(a3, b3, false, false);
  const shape = [...batch, ...(a.ndim === 1 ? [] : [n]), ...(b.ndim === 1 ? [] : [p])];
  return viewAs(out, shape, "UnsafeViewBackward0");
}

/** Expands to the broadcast batch and folds it into one dim, leaving the nodes PyTorch leaves. */
function foldBatch(t: Tensor, expanded: number[], folded: number[]): Tensor {
  const e = expandAlways(t, expanded);
  return sameShape(t.shape, expanded) ? viewAs(e, folded, "ReshapeAliasBackward0") : viewAs(clone(e), folded, "UnsafeViewBackward0");
}

declare module "../tensor" {
  interface Tensor {
    matmul(other: Tensor): Tensor;
    mm(other: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    dot(other: Tensor): Tensor;
  }
}

addMethods({
  matmul(this: Tensor, other: Tensor) {
    return matmul(this, other);
  },
  mm(this: Tensor, other: Tensor) {
    return mm(this, other);
  },
  mv(this: Tensor, vec: Tensor) {
    return mv(this, vec);
  },
  dot(this: Tensor, other: Tensor) {
    return dot(this, other);
  },
});
