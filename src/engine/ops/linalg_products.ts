/**
 * Products beyond mm/matmul: bmm, baddbmm, addbmm, addmv, addr (each its own node, as in PyTorch), and the products
 * ATen composes of other ops, which leave PyTorch's graph: outer/ger (a reshape times a vector), inner and tensordot
 * (permute, reshape, mm), kron (_unsafe_view around a broadcast mul), matrix_power (matmuls by binary powers); trace
 * and linalg.cross have nodes of their own.
 */
import { type DType, allocate, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { broadcastShapes, formatShape, normalizeDim, sameShape } from "../shape";
import { Tensor, addMethods } from "../tensor";
import { crossSaved } from "./arith";
import { clone } from "./copy";
import { bmmFlags, matmul } from "./linalg";
import { checkSquare, typeName } from "./linalg_batch";
import { inv } from "./linalg_solve";
import { type OpDef, apply, defineOp } from "./op";
import { empty } from "./operands";
import { expandAlways, viewAs } from "./views";

/** Σ_k a[i,k]·b[k,j] in float64 for row-major a (m×k) and b (k×n), starting at the given offsets. */
function product(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, m: number, k: number, n: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const x = a[ao + i * k + p];
      if (x === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += x * b[bo + p * n + j];
    }
  }
  return out;
}

function checkSameDType(a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) throw new RuntimeError(`expected scalar type ${typeName(a.dtype)} but found ${typeName(b.dtype)}`);
}

/** beta·input + alpha·product, where beta = 0 ignores input (even its NaNs), as BLAS does. */
function scaleAdd(input: Tensor, shape: number[], products: Float64Array, beta: number, alpha: number, dtype: DType): Tensor {
  const out = empty(shape, dtype);
  const base = beta === 0 ? null : expandAlways(input, shape)._data;
  const od = out._data;
  for (let i = 0; i < od.length; i++) od[i] = (base ? beta * base[i] : 0) + alpha * products[i];
  return out;
}

interface ScaleAttrs {
  beta: number;
  alpha: number;
}

/** A gradient scaled by beta or alpha (PyTorch's maybe_multiply: no op for 1). */
function timesScalar(g: Tensor, s: number): Tensor {
  return s === 1 ? g : g.mul(s);
}

// ---- bmm, baddbmm, addbmm ----

function checkBatches(b1: Tensor, b2: Tensor): void {
  if (b1.ndim !== 3) throw new RuntimeError("batch1 must be a 3D tensor");
  if (b2.ndim !== 3) throw new RuntimeError("batch2 must be a 3D tensor");
  const [bs, , k] = b1.shape;
  if (b2.shape[0] !== bs || b2.shape[1] !== k) {
    throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${bs}, ${k}] but got: [${b2.shape[0]}, ${b2.shape[1]}].`);
  }
  checkSameDType(b1, b2);
}

/** torch.bmm: a batch of matrix products, [B, n, m] @ [B, m, p]. */
export function bmm(batch1: Tensor, batch2: Tensor): Tensor {
  checkBatches(batch1, batch2);
  return bmmFlags(batch1, batch2, false, false);
}

function batchProducts(b1: Tensor, b2: Tensor): Float64Array {
  const [bs, n, k] = b1.shape;
  const p = b2.shape[2];
  const out = new Float64Array(bs * n * p);
  const x = b1._data;
  const y = b2._data;
  for (let b = 0; b < bs; b++) out.set(product(x, b * n * k, y, b * k * p, n, k, p), b * n * p);
  return out;
}

const baddbmmOp = defineOp<ScaleAttrs>({
  name: "baddbmm",
  gradFnName: "BaddbmmBackward0",
  forward: ([input, b1, b2], { beta, alpha }) => scaleAdd(input, [b1.shape[0], b1.shape[1], b2.shape[2]], batchProducts(b1, b2), beta, alpha, b1.dtype),
  backward: ({ inputs: [, b1, b2], attrs: { beta, alpha }, needsInputGrad: [di, d1, d2] }, g) => [
    di ? timesScalar(g, beta) : null,
    d1 ? timesScalar(bmmFlags(g, b2, false, true), alpha) : null,
    d2 ? timesScalar(bmmFlags(b1, g, true, false), alpha) : null,
  ],
  saves: { inputs: ([, d1, d2]) => crossSaved([d1, d2]).map((i) => i + 1) },
});

export interface ScaleOptions {
  beta?: number;
  alpha?: number;
}

/** torch.baddbmm(input, batch1, batch2, beta=1, alpha=1): beta·input + alpha·(batch1 @ batch2), input broadcast. */
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options: ScaleOptions = {}): Tensor {
  checkBatches(batch1, batch2);
  const shape = [batch1.shape[0], batch1.shape[1], batch2.shape[2]];
  if (!sameShape(input.shape, shape)) input.expand(shape);
  return apply(baddbmmOp, [input, batch1, batch2], { beta: options.beta ?? 1, alpha: options.alpha ?? 1 });
}

const addbmmOp = defineOp<ScaleAttrs>({
  name: "addbmm",
  gradFnName: "AddbmmBackward0",
  forward: ([input, b1, b2], { beta, alpha }) => {
    const [bs, n] = b1.shape;
    const p = b2.shape[2];
    const all = batchProducts(b1, b2);
    const summed = new Float64Array(n * p);
    for (let b = 0; b < bs; b++) for (let i = 0; i < n * p; i++) summed[i] += all[b * n * p + i];
    return scaleAdd(input, [n, p], summed, beta, alpha, b1.dtype);
  },
  backward: ({ inputs: [, b1, b2], attrs: { beta, alpha }, needsInputGrad: [di, d1, d2] }, g) => {
    const spread = () => g.unsqueeze(0).expand([b1.shape[0], ...g.shape]);
    return [
      di ? timesScalar(g, beta) : null,
      d1 ? timesScalar(bmmFlags(spread().contiguous(), b2, false, true), alpha) : null,
      d2 ? timesScalar(bmmFlags(b1, spread().contiguous(), true, false), alpha) : null,
    ];
  },
  saves: { inputs: ([, d1, d2]) => crossSaved([d1, d2]).map((i) => i + 1) },
});

/** torch.addbmm(input, batch1, batch2, beta=1, alpha=1): beta·input + alpha·Σ_b batch1[b] @ batch2[b]. */
export function addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options: ScaleOptions = {}): Tensor {
  checkBatches(batch1, batch2);
  const shape = [batch1.shape[1], batch2.shape[2]];
  if (!sameShape(input.shape, shape)) input.expand(shape);
  return apply(addbmmOp, [input, batch1, batch2], { beta: options.beta ?? 1, alpha: options.alpha ?? 1 });
}

// ---- addmv, addr ----

const addmvOp = defineOp<ScaleAttrs>({
  name: "addmv",
  gradFnName: "AddmvBackward0",
  forward: ([input, mat, vec], { beta, alpha }) => scaleAdd(input, [mat.shape[0]], product(mat._data, 0, vec._data, 0, mat.shape[0], mat.shape[1], 1), beta, alpha, mat.dtype),
  backward: ({ inputs: [, mat, vec], attrs: { beta, alpha }, needsInputGrad: [di, dm, dv] }, g) => [
    di ? timesScalar(g, beta) : null,
    dm ? timesScalar(outerProduct(g, vec), alpha) : null,
    dv ? timesScalar(mat.t().mv(g), alpha) : null,
  ],
  saves: { inputs: ([, dm, dv]) => crossSaved([dm, dv]).map((i) => i + 1) },
});

/** torch.addmv(input, mat, vec, beta=1, alpha=1): beta·input + alpha·(mat @ vec). */
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, options: ScaleOptions = {}): Tensor {
  if (mat.ndim !== 2 || vec.ndim !== 1) throw new RuntimeError(`vector + matrix @ vector expected, got ${input.ndim}, ${mat.ndim}, ${vec.ndim}`);
  if (mat.shape[1] !== vec.shape[0] || !(input.numel() === 1 || (input.ndim === 1 && input.shape[0] === mat.shape[0]))) {
    throw new RuntimeError(`size mismatch, got input (${input.shape[0] ?? 1}), mat (${mat.shape[0]}x${mat.shape[1]}), vec (${vec.shape[0]})`);
  }
  checkSameDType(mat, vec);
  return apply(addmvOp, [input, mat, vec], { beta: options.beta ?? 1, alpha: options.alpha ?? 1 });
}

const addrOp = defineOp<ScaleAttrs>({
  name: "addr",
  gradFnName: "AddrBackward0",
  forward: ([input, v1, v2], { beta, alpha }) => scaleAdd(input, [v1.shape[0], v2.shape[0]], product(v1._data, 0, v2._data, 0, v1.shape[0], 1, v2.shape[0]), beta, alpha, v1.dtype),
  backward: ({ inputs: [, v1, v2], attrs: { beta, alpha }, needsInputGrad: [di, d1, d2] }, g) => [
    di ? timesScalar(g, beta) : null,
    d1 ? timesScalar(g.mv(v2), alpha) : null,
    d2 ? timesScalar(g.t().mv(v1), alpha) : null,
  ],
  saves: { inputs: ([, d1, d2]) => crossSaved([d1, d2]).map((i) => i + 1) },
});

/** torch.addr(input, vec1, vec2, beta=1, alpha=1): beta·input + alpha·outer(vec1, vec2). */
export function addr(input: Tensor, vec1: Tensor, vec2: Tensor, options: ScaleOptions = {}): Tensor {
  if (vec1.ndim !== 1) throw new RuntimeError(`addr: Expected 1-d argument vec1, but got ${vec1.ndim}-d`);
  if (vec2.ndim !== 1) throw new RuntimeError(`addr: Expected 1-d argument vec2, but got ${vec2.ndim}-d`);
  input.expand([vec1.shape[0], vec2.shape[0]]);
  return apply(addrOp, [input, vec1, vec2], { beta: options.beta ?? 1, alpha: options.alpha ?? 1 });
}

// ---- outer, inner, tensordot, kron ----

function outerProduct(a: Tensor, b: Tensor): Tensor {
  return a.reshape([a.shape[0], 1]).mul(b);
}

/** torch.outer (torch.ger): vec1.reshape(n, 1) * vec2, as ATen writes it. */
export function outer(vec1: Tensor, vec2: Tensor): Tensor {
  if (vec1.ndim !== 1) throw new RuntimeError(`outer: Expected 1-D argument self, but got ${vec1.ndim}-D`);
  if (vec2.ndim !== 1) throw new RuntimeError(`outer: Expected 1-D argument vec2, but got ${vec2.ndim}-D`);
  return outerProduct(vec1, vec2);
}

/** torch.tensordot(a, b, dims): dims as a count (the last dims of a with the first of b) or two lists. */
export function tensordot(a: Tensor, b: Tensor, dims: number | [number[], number[]] = 2): Tensor {
  let dimsA: number[];
  let dimsB: number[];
  if (typeof dims === "number") {
    if (dims < 0) throw new RuntimeError(`tensordot expects dims >= 0, but got dims=${dims}`);
    dimsA = Array.from({ length: dims }, (_, i) => i - dims);
    dimsB = Array.from({ length: dims }, (_, i) => i);
  } else [dimsA, dimsB] = dims;
  return tensordotLists(a, b, dimsA, dimsB);
}

/** ATen's tensordot: dims of size 1 on one side summed first, then permute, reshape to matrices, mm, reshape. */
function tensordotLists(a: Tensor, b: Tensor, dimsA: number[], dimsB: number[]): Tensor {
  if (dimsA.length !== dimsB.length) throw new RuntimeError("both dimension lists should have same length");
  if (a.dtype !== b.dtype) throw new RuntimeError("both inputs should have same dtype");
  let t1 = a;
  let t2 = b;
  let csize = 1;
  dimsA.forEach((da, i) => {
    const s1 = a.shape[normalizeDim(da, a.ndim)];
    const s2 = b.shape[normalizeDim(dimsB[i], b.ndim)];
    if (s2 === 1) t1 = t1.sum(da, true);
    else if (s1 === 1) t2 = t2.sum(dimsB[i], true);
    else {
      if (s1 !== s2) throw new RuntimeError(`contracted dimensions need to match, but first has size ${s1} in dim ${da} and second has size ${s2} in dim ${dimsB[i]}`);
      csize *= s1;
    }
  });
  const cA = new Set(dimsA.map((d) => normalizeDim(d, a.ndim)));
  const cB = new Set(dimsB.map((d) => normalizeDim(d, b.ndim)));
  const p1: number[] = [];
  const p2: number[] = [...dimsB];
  const rsizes: number[] = [];
  let size1 = 1;
  let size2 = 1;
  for (let i = 0; i < a.ndim; i++) {
    if (cA.has(i)) continue;
    p1.push(i);
    size1 *= t1.shape[i];
    rsizes.push(t1.shape[i]);
  }
  p1.push(...dimsA);
  for (let i = 0; i < b.ndim; i++) {
    if (cB.has(i)) continue;
    p2.push(i);
    size2 *= t2.shape[i];
    rsizes.push(t2.shape[i]);
  }
  const m1 = t1.permute(p1).reshape([size1, csize]);
  const m2 = t2.permute(p2).reshape([csize, size2]);
  return m1.mm(m2).reshape(rsizes);
}

/** torch.inner: Σ over the last dim of both (a product when either is a number-like 0-d tensor). */
export function inner(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) return a.mul(b);
  if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 1]) {
    throw new RuntimeError(`inner() the last dimension must match on both input tensors but got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  return tensordotLists(a, b, [-1], [-1]);
}

/** torch.kron: each a[i, j] times the whole of b, laid out block by block. */
export function kron(a: Tensor, b: Tensor): Tensor {
  const ndim = Math.max(a.ndim, b.ndim);
  const padA = ndim - a.ndim;
  const padB = ndim - b.ndim;
  const aShape: number[] = [];
  const bShape: number[] = [];
  const result: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const sa = i >= padA ? a.shape[i - padA] : 1;
    const sb = i >= padB ? b.shape[i - padB] : 1;
    aShape.push(sa, 1);
    bShape.push(1, sb);
    result.push(sa * sb);
  }
  return viewAs(viewAs(a, aShape, "UnsafeViewBackward0").mul(viewAs(b, bShape, "UnsafeViewBackward0")), result, "UnsafeViewBackward0");
}

// ---- trace ----

const traceOp = defineOp({
  name: "trace",
  gradFnName: "TraceBackward0",
  forward: ([a]) => {
    const [m, n] = a.shape;
    const out = empty([], isFloating(a.dtype) ? a.dtype : "int64");
    let s = 0;
    for (let i = 0; i < Math.min(m, n); i++) s += a._data[i * n + i];
    out._data[0] = s;
    return out;
  },
  // The gradient puts g on the diagonal: an identity-shaped mask times g (linear in g, for a second derivative).
  backward: ({ inputs: [a] }, g) => {
    const [m, n] = a.shape;
    const mask = Tensor.fromData(allocate(a.dtype, m * n), [m, n], a.dtype);
    for (let i = 0; i < Math.min(m, n); i++) mask._data[i * n + i] = 1;
    return [mask.mul(g)];
  },
});

/** torch.trace: the sum of a matrix's diagonal. */
export function trace(a: Tensor): Tensor {
  if (a.ndim !== 2) throw new RuntimeError(`trace: expected a matrix, but got tensor with dim ${a.ndim}`);
  return apply(traceOp, [a], undefined);
}

// ---- cross ----

const crossOp: OpDef<number> = defineOp<number>({
  name: "linalgCross",
  gradFnName: "LinalgCrossBackward0",
  forward: ([a, b], dim) => {
    const shape = broadcastShapes(a.shape, b.shape);
    const x = expandAlways(a, shape)._data;
    const y = expandAlways(b, shape)._data;
    const out = empty(shape, a.dtype);
    let inner = 1;
    for (let i = dim + 1; i < shape.length; i++) inner *= shape[i];
    const outer = out.numel() / (3 * inner);
    const o = out._data;
    for (let p = 0; p < outer; p++) {
      for (let q = 0; q < inner; q++) {
        const at = (k: number) => p * 3 * inner + k * inner + q;
        o[at(0)] = x[at(1)] * y[at(2)] - x[at(2)] * y[at(1)];
        o[at(1)] = x[at(2)] * y[at(0)] - x[at(0)] * y[at(2)];
        o[at(2)] = x[at(0)] * y[at(1)] - x[at(1)] * y[at(0)];
      }
    }
    return out;
  },
  // d(a × b) = da × b + a × db, so ga = b × g and gb = g × a.
  backward: ({ inputs: [a, b], attrs: dim, needsInputGrad: [da, db] }, g) => [
    da ? apply(crossOp, [b, g], dim) : null,
    db ? apply(crossOp, [g, a], dim) : null,
  ],
  saves: { inputs: crossSaved },
});

/** torch.linalg.cross(a, b, dim=-1): the cross product of 3-vectors along dim, batch dims broadcast. */
export function linalgCross(a: Tensor, b: Tensor, dim = -1): Tensor {
  if (a.ndim !== b.ndim) throw new RuntimeError(`linalg.cross: inputs must have the same number of dimensions.`);
  const shape = broadcastShapes(a.shape, b.shape);
  const d = normalizeDim(dim, shape.length);
  if (a.shape[d] !== 3 || b.shape[d] !== 3) {
    throw new RuntimeError(`linalg.cross: inputs dimension ${dim} must have length 3. Got ${a.shape[d]} and ${b.shape[d]}`);
  }
  checkSameDType(a, b);
  return apply(crossOp, [a, b], d);
}

/** torch.cross(a, b, dim=None): without a dim, the first dim of size 3 (linalg.cross's default is the last). */
export function cross(a: Tensor, b: Tensor, dim?: number | null): Tensor {
  if (dim === undefined || dim === null) {
    const shape = broadcastShapes(a.shape, b.shape);
    const found = shape.indexOf(3);
    if (found < 0) throw new RuntimeError(`no dimension of size 3 in input`);
    return linalgCross(a, b, found);
  }
  return linalgCross(a, b, dim);
}

// ---- matrix_power ----

/** torch.linalg.matrix_power(A, n): A·A·…·A (n ≥ 0), or A⁻¹'s power for n < 0, by ATen's binary decomposition. */
export function matrixPower(a: Tensor, n: number): Tensor {
  if (!Number.isInteger(n)) throw new TypeError(`matrix_power(): argument 'n' must be int, not ${typeof n === "number" ? "float" : typeof n}`);
  checkSquare(a, "linalg.matrix_power");
  if (n === 0) {
    const eyeLike = Tensor.fromData(allocate(a.dtype, a.numel()), a.shape.slice(), a.dtype);
    const k = a.shape[a.ndim - 1];
    for (let at = 0; at < eyeLike.numel(); at += k * k) for (let i = 0; i < k; i++) eyeLike._data[at + i * k + i] = 1;
    return clone(a, { memoryFormat: "contiguous" }).copy_(eyeLike);
  }
  if (n === 1) return clone(a, { memoryFormat: "contiguous" });
  if (n === -1) return inv(a);
  const base = n < 0 ? inv(a) : a;
  let k = Math.abs(n);
  if (k === 2) return matmul(base, base);
  if (k === 3) return matmul(matmul(base, base), base);
  let z: Tensor | null = null;
  let result: Tensor | null = null;
  while (k > 0) {
    const bit = k % 2;
    k = Math.floor(k / 2);
    z = z ? matmul(z, z) : base;
    if (bit === 1) result = result ? matmul(result, z) : z;
  }
  return result!;
}

declare module "../tensor" {
  interface Tensor {
    bmm(batch2: Tensor): Tensor;
    baddbmm(batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor;
    addbmm(batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor;
    addmv(mat: Tensor, vec: Tensor, options?: ScaleOptions): Tensor;
    addr(vec1: Tensor, vec2: Tensor, options?: ScaleOptions): Tensor;
    outer(vec2: Tensor): Tensor;
    ger(vec2: Tensor): Tensor;
    inner(other: Tensor): Tensor;
    kron(other: Tensor): Tensor;
    trace(): Tensor;
    cross(other: Tensor, dim?: number | null): Tensor;
    matrixPower(n: number): Tensor;
  }
}

addMethods({
  bmm(this: Tensor, batch2: Tensor) {
    return bmm(this, batch2);
  },
  baddbmm(this: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions) {
    return baddbmm(this, batch1, batch2, options);
  },
  addbmm(this: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions) {
    return addbmm(this, batch1, batch2, options);
  },
  addmv(this: Tensor, mat: Tensor, vec: Tensor, options?: ScaleOptions) {
    return addmv(this, mat, vec, options);
  },
  addr(this: Tensor, vec1: Tensor, vec2: Tensor, options?: ScaleOptions) {
    return addr(this, vec1, vec2, options);
  },
  outer(this: Tensor, vec2: Tensor) {
    return outer(this, vec2);
  },
  ger(this: Tensor, vec2: Tensor) {
    return outer(this, vec2);
  },
  inner(this: Tensor, other: Tensor) {
    return inner(this, other);
  },
  kron(this: Tensor, other: Tensor) {
    return kron(this, other);
  },
  trace(this: Tensor) {
    return trace(this);
  },
  cross(this: Tensor, other: Tensor, dim?: number | null) {
    return cross(this, other, dim);
  },
  matrixPower(this: Tensor, n: number) {
    return matrixPower(this, n);
  },
});
