/**
 * The Tensor: a shape and a dtype over a flat row-major buffer, plus what autograd needs (grad, grad_fn, hooks).
 * Methods are thin: each op lives in `ops/` with its forward and backward side by side.
 */
import { AccumulateGrad, type GradFn } from "./autograd/node";
import { backward as runBackward } from "./autograd/backward";
import { type DataArray, type DType, isFloating, torchTypeName } from "./dtype";
import { RuntimeError } from "./errors";
import { formatShape, numelOf, normalizeDim } from "./shape";
import { recorder, warn } from "./recorder";
import { formatTensor } from "./print";
import { NDArray } from "./ndarray";
import * as arith from "./ops/arith";
import * as unary from "./ops/unary";
import * as reduce from "./ops/reduce";
import * as linalg from "./ops/linalg";
import * as views from "./ops/views";
import * as compare from "./ops/compare";
import * as inplace from "./ops/inplace";

/** The buffer behind one or more tensors (a tensor and its `detach()`/`view()` share one), with PyTorch's version
 * counter: every in-place write bumps it, so backward can tell that a saved value was overwritten. */
export class Storage {
  version = 0;
  constructor(public data: DataArray) {}
}

export type Scalar = number | boolean;
export type TensorOrScalar = Tensor | number;
export type GradHook = (grad: Tensor) => Tensor | void;

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Accumulate only into these leaves (PyTorch's `inputs=`). */
  inputs?: Tensor[];
}

export class Tensor {
  readonly shape: number[];
  readonly dtype: DType;
  /** @internal */ _storage: Storage;
  /** @internal */ _grad: Tensor | null = null;
  /** @internal */ _requiresGrad = false;
  /** @internal */ _retainsGrad = false;
  /** @internal */ _hooks: GradHook[] | null = null;
  /** @internal */ _accumulator: AccumulateGrad | null = null;
  /** @internal A plain number the user passed where a tensor goes; type promotion ranks it lowest. */
  _wrappedNumber = false;
  /** @internal Which output of its grad_fn this tensor is (always 0: every op here has one differentiable output). */
  _outputNr = 0;
  /** The node that made this tensor; null for leaves. */
  gradFn: GradFn | null = null;

  constructor(storage: Storage, shape: number[], dtype: DType) {
    this._storage = storage;
    this.shape = shape;
    this.dtype = dtype;
  }

  /** @internal A new tensor over a fresh buffer. */
  static fromData(data: DataArray, shape: number[], dtype: DType): Tensor {
    return new Tensor(new Storage(data), shape, dtype);
  }

  // ---- properties ----

  /** @internal The values, row-major. Writing through it bypasses the version counter. */
  get _data(): DataArray {
    return this._storage.data;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad || this.gradFn !== null;
  }

  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  get grad(): Tensor | null {
    if (this.gradFn !== null && !this._retainsGrad && this._grad === null) {
      warn(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be " +
          "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf " +
          "Tensor, use .retainGrad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure " +
          "you access the leaf Tensor instead.",
      );
    }
    return this._grad;
  }

  set grad(g: Tensor | null) {
    if (g !== null) {
      if (!(g instanceof Tensor)) throw new TypeError(`assigned grad expected to be a Tensor or null but got ${typeof g}`);
      if (g.dtype !== this.dtype) throw new RuntimeError(`assigned grad has data of a different type`);
      if (numelOf(g.shape) !== this.numel() || g.ndim !== this.ndim || g.shape.some((d, i) => d !== this.shape[i])) {
        throw new RuntimeError(`assigned grad has data of a different size`);
      }
    }
    this._grad = g;
  }

  /** A tensor sharing this one's values, cut from the graph (PyTorch's `.data`). */
  get data(): Tensor {
    recorder.current?.onCut?.(this, "data");
    return new Tensor(this._storage, this.shape, this.dtype);
  }

  set data(t: Tensor) {
    if (t.dtype !== this.dtype || t.numel() !== this.numel()) {
      throw new RuntimeError(`data set to a tensor that requires gradients must match its dtype and size`);
    }
    this._storage = t._storage;
  }

  // ---- values ----

  numel(): number {
    return this._storage.data.length;
  }

  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? [...this.shape] : this.shape[normalizeDim(dim, this.ndim)];
  }

  item(): number {
    if (this.numel() !== 1) throw new RuntimeError(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    recorder.current?.onCut?.(this, "item");
    return this._storage.data[0];
  }

  tolist(): NestedNumbers {
    recorder.current?.onCut?.(this, "tolist");
    const data = this._storage.data;
    const build = (dim: number, offset: number, stride: number): NestedNumbers => {
      if (dim === this.ndim) return data[offset];
      const inner = stride / this.shape[dim];
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * inner, inner));
    };
    return build(0, 0, this.numel());
  }

  /** NumPy's view of the values, printed as NumPy prints (`array([[-3.,  0.], ...], dtype=float32)`). */
  numpy(): NDArray {
    if (this.requiresGrad) throw new RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
    return new NDArray(this._storage.data, this.shape, this.dtype);
  }

  toString(): string {
    const suffixes: string[] = [];
    if (this.gradFn) suffixes.push(`grad_fn=<${this.gradFn.name}>`);
    else if (this._requiresGrad) suffixes.push("requires_grad=True");
    return formatTensor({ shape: this.shape, dtype: this.dtype, values: this._storage.data }, suffixes);
  }

  /** `console.log(x)` in Node prints what Python's `print(x)` prints. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** JavaScript's operators (`loss > threshold`, `${x}`) see a one-element tensor as its number, and text as the print. */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === "string") return this.toString();
    if (this.numel() !== 1) {
      throw new RuntimeError(
        `a Tensor with ${this.numel()} elements cannot be converted to a number. JavaScript operators such as +, * and > ` +
          `work on numbers only: use tensor methods instead (x.add(y), x.mul(y), x.gt(y)).`,
      );
    }
    return this._storage.data[0];
  }

  // ---- autograd ----

  backward(gradient?: Tensor | null, options: BackwardOptions = {}): void {
    runBackward([this], gradient ? [gradient] : null, options);
  }

  /** A new leaf sharing this tensor's values, cut from the graph. */
  detach(): Tensor {
    const t = new Tensor(this._storage, this.shape, this.dtype);
    recorder.current?.onCut?.(this, "detach");
    if (recorder.current) recorder.current.onTensor(t);
    return t;
  }

  /** Cuts this tensor from the graph in place: it becomes a leaf that does not require grad. */
  detach_(): this {
    recorder.current?.onCut?.(this, "detach_");
    this.gradFn = null;
    this._requiresGrad = false;
    this._retainsGrad = false;
    if (recorder.current) recorder.current.onModified(this);
    return this;
  }

  requiresGrad_(flag = true): this {
    if (!this.isLeaf) {
      if (flag) return this;
      throw new RuntimeError(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a " +
          "subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    if (flag && !isFloating(this.dtype)) {
      throw new RuntimeError("only Tensors of floating point and complex dtype can require gradients");
    }
    this._requiresGrad = flag;
    if (recorder.current) recorder.current.onModified(this);
    return this;
  }

  retainGrad(): void {
    if (!this.requiresGrad) throw new RuntimeError("can't retain_grad on Tensor that has requires_grad=False");
    if (!this.isLeaf) this._retainsGrad = true;
  }

  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  registerHook(fn: GradHook): { remove(): void } {
    if (!this.requiresGrad) throw new RuntimeError("cannot register a hook on a tensor that doesn't require gradient");
    const hooks = (this._hooks ??= []);
    hooks.push(fn);
    return {
      remove: () => {
        const i = hooks.indexOf(fn);
        if (i >= 0) hooks.splice(i, 1);
      },
    };
  }

  // ---- math ----
  add(other: TensorOrScalar, alpha?: number): Tensor {
    return arith.add(this, other, alpha);
  }
  sub(other: TensorOrScalar, alpha?: number): Tensor {
    return arith.sub(this, other, alpha);
  }
  mul(other: TensorOrScalar): Tensor {
    return arith.mul(this, other);
  }
  div(other: TensorOrScalar): Tensor {
    return arith.div(this, other);
  }
  pow(exponent: TensorOrScalar): Tensor {
    return arith.pow(this, exponent);
  }
  floorDivide(other: TensorOrScalar): Tensor {
    return arith.floorDivide(this, other);
  }
  maximum(other: TensorOrScalar): Tensor {
    return arith.maximum(this, other);
  }
  minimum(other: TensorOrScalar): Tensor {
    return arith.minimum(this, other);
  }
  clamp(min?: number | null, max?: number | null): Tensor {
    return unary.clamp(this, min ?? null, max ?? null);
  }
  neg(): Tensor {
    return unary.neg(this);
  }
  abs(): Tensor {
    return unary.abs(this);
  }
  exp(): Tensor {
    return unary.exp(this);
  }
  log(): Tensor {
    return unary.log(this);
  }
  sqrt(): Tensor {
    return unary.sqrt(this);
  }
  sin(): Tensor {
    return unary.sin(this);
  }
  cos(): Tensor {
    return unary.cos(this);
  }
  tanh(): Tensor {
    return unary.tanh(this);
  }
  sigmoid(): Tensor {
    return unary.sigmoid(this);
  }
  relu(): Tensor {
    return unary.relu(this);
  }
  sign(): Tensor {
    return unary.sign(this);
  }
  reciprocal(): Tensor {
    return unary.reciprocal(this);
  }
  matmul(other: Tensor): Tensor {
    return linalg.matmul(this, other);
  }
  mm(other: Tensor): Tensor {
    return linalg.mm(this, other);
  }

  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.sum(this, dim ?? null, keepdim);
  }
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.mean(this, dim ?? null, keepdim);
  }
  max(): Tensor;
  max(dim: number, keepdim?: boolean): reduce.ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | reduce.ValuesIndices {
    return dim === undefined ? reduce.maxAll(this) : reduce.maxDim(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): reduce.ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | reduce.ValuesIndices {
    return dim === undefined ? reduce.minAll(this) : reduce.minDim(this, dim, keepdim);
  }
  norm(p: number = 2, dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.norm(this, p, dim ?? null, keepdim);
  }

  // ---- shape ----
  reshape(...shape: ShapeArgs): Tensor {
    return views.reshape(this, shape, "reshape");
  }
  view(...shape: ShapeArgs): Tensor {
    return views.reshape(this, shape, "view");
  }
  transpose(dim0: number, dim1: number): Tensor {
    return views.transpose(this, dim0, dim1);
  }
  t(): Tensor {
    return views.t(this);
  }
  get T(): Tensor {
    return views.reverseDims(this);
  }
  permute(...dims: ShapeArgs): Tensor {
    return views.permute(this, dims);
  }
  unsqueeze(dim: number): Tensor {
    return views.unsqueeze(this, dim);
  }
  squeeze(dim?: number): Tensor {
    return views.squeeze(this, dim);
  }
  expand(...shape: ShapeArgs): Tensor {
    return views.expand(this, shape);
  }
  expandAs(other: Tensor): Tensor {
    return views.expand(this, [other.shape]);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return views.flatten(this, startDim, endDim);
  }
  clone(): Tensor {
    return views.clone(this);
  }
  contiguous(): Tensor {
    return this;
  }
  /** Casts to another dtype (PyTorch's `.to(dtype)`, `.float()`, `.double()`, `.long()`). */
  to(dtype: DType): Tensor {
    return views.cast(this, dtype);
  }
  float(): Tensor {
    return views.cast(this, "float32");
  }
  double(): Tensor {
    return views.cast(this, "float64");
  }
  long(): Tensor {
    return views.cast(this, "int64");
  }

  // ---- comparisons ----
  eq(other: TensorOrScalar): Tensor {
    return compare.eq(this, other);
  }
  ne(other: TensorOrScalar): Tensor {
    return compare.ne(this, other);
  }
  gt(other: TensorOrScalar): Tensor {
    return compare.gt(this, other);
  }
  ge(other: TensorOrScalar): Tensor {
    return compare.ge(this, other);
  }
  lt(other: TensorOrScalar): Tensor {
    return compare.lt(this, other);
  }
  le(other: TensorOrScalar): Tensor {
    return compare.le(this, other);
  }
  logicalAnd(other: TensorOrScalar | boolean): Tensor {
    return compare.logicalAnd(this, other);
  }
  logicalOr(other: TensorOrScalar | boolean): Tensor {
    return compare.logicalOr(this, other);
  }
  logicalXor(other: TensorOrScalar | boolean): Tensor {
    return compare.logicalXor(this, other);
  }
  logicalNot(): Tensor {
    return compare.logicalNot(this);
  }

  // ---- in place ----
  add_(other: TensorOrScalar, alpha?: number): this {
    return inplace.inplace(this, (t) => arith.add(t, other, alpha), "add_");
  }
  sub_(other: TensorOrScalar, alpha?: number): this {
    return inplace.inplace(this, (t) => arith.sub(t, other, alpha), "sub_");
  }
  mul_(other: TensorOrScalar): this {
    return inplace.inplace(this, (t) => arith.mul(t, other), "mul_");
  }
  div_(other: TensorOrScalar): this {
    return inplace.inplace(this, (t) => arith.div(t, other), "div_");
  }
  clamp_(min?: number | null, max?: number | null): this {
    return inplace.inplace(this, (t) => unary.clamp(t, min ?? null, max ?? null), "clamp_");
  }
  zero_(): this {
    return inplace.fill_(this, 0);
  }
  fill_(value: number): this {
    return inplace.fill_(this, value);
  }
  copy_(src: Tensor): this {
    return inplace.copy_(this, src);
  }
  uniform_(from = 0, to = 1): this {
    return inplace.uniform_(this, from, to);
  }
  normal_(mean = 0, std = 1): this {
    return inplace.normal_(this, mean, std);
  }

  /** @internal PyTorch's description of a tensor in messages: `[torch.FloatTensor [2, 2]]`. */
  _describe(): string {
    return `[${torchTypeName(this.dtype)} ${formatShape(this.shape)}]`;
  }
}

export type NestedNumbers = number | NestedNumbers[];
export type ShapeArgs = number[] | [readonly number[]];
