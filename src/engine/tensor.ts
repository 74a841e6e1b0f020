/**
 * The Tensor, as PyTorch has it: a storage seen through sizes, strides and an offset, plus what autograd needs (grad,
 * grad_fn, hooks, the version counter, and for a view its base).
 *
 * This module is a leaf of the engine's import graph on purpose: the ops add their methods to `Tensor.prototype` from
 * their own family files (module augmentation, e.g. `ops/arith.ts` adds `add`), which is only safe when nothing that
 * patches the prototype can run before this class exists.
 */
import type { AccumulateGrad, GradFn } from "./autograd/node";
import { type DataArray, type DType, adoptStorage, allocate, isFloating, torchTypeName } from "./dtype";
import { RuntimeError } from "./errors";
import { gather, isContiguousGeometry } from "./kernels/strided";
import { contiguousStrides, formatShape, normalizeDim } from "./shape";
import { recorder, warn } from "./recorder";
import { formatTensor } from "./print";
import { NDArray } from "./ndarray";
import { torchSize } from "./size";

/**
 * The buffer behind a tensor, its views and its `detach()`, with PyTorch's version counter: every in-place write
 * bumps it, so a backward that saved the old values can tell. `.data` sees the same buffer through a Storage of its
 * own, whose counter starts afresh: writes through it go unseen, as in PyTorch.
 */
export class Storage {
  version = 0;
  constructor(public data: DataArray) {}
}

/** Counts writes into any storage: a row-major copy read from a strided tensor is reused only while none happened. */
export const writes = { epoch: 0 };

/** Why an in-place write through a view may be refused (PyTorch's CreationMeta). */
export type ViewCreation = "default" | "noGrad" | "multiOutput" | "customFunction";

export interface ViewMeta {
  /** What this is a view of; never itself a view (a view of a view points at the first base), as `_base`. */
  readonly base: Tensor;
  readonly creation: ViewCreation;
  /** The version at which `gradFn` was last set: after an in-place write anywhere in the base, the view's grad_fn is
   * made anew (AsStridedBackward0 from the base's new history), as PyTorch does when grad_fn is read. */
  attrVersion: number;
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

/** Set by autograd/forward_ad.ts while a dual level is open: the `tangent=...` a dual tensor's print ends with. */
export const formatHooks: { extraSuffix: ((t: Tensor) => string | null) | null } = { extraSuffix: null };

/** Set by autograd/view_grad_fn.ts: brings a view's grad_fn up to date with its base's history. */
export const viewHooks: { refreshGradFn: ((t: Tensor) => void) | null } = { refreshGradFn: null };

export class Tensor {
  readonly shape: number[];
  readonly dtype: DType;
  /** @internal */ _storage: Storage;
  /** @internal Null until asked for while the tensor is row-major (most tensors never are asked). */
  private _stridesOrNull: number[] | null;
  /** @internal Where element [0, 0, ...] sits in the storage. */
  _offset: number;
  /** @internal */ _numel: number;
  /** @internal Row-major with no gaps (PyTorch's is_contiguous). */
  _contiguous: boolean;
  /** @internal Set for a view that autograd tracks (PyTorch's differentiable views). */
  _viewMeta: ViewMeta | null = null;
  /** @internal */ _gradFn: GradFn | null = null;
  /** @internal */ _grad: Tensor | null = null;
  /** @internal */ _requiresGrad = false;
  /** @internal */ _retainsGrad = false;
  /** @internal */ _hooks: GradHook[] | null = null;
  /** @internal */ _accumulator: AccumulateGrad | null = null;
  /** @internal A plain number the user passed where a tensor goes; type promotion ranks it lowest. */
  _wrappedNumber = false;
  /** @internal Which output of its grad_fn this tensor is. */
  _outputNr = 0;
  /** @internal The row-major values of a tensor that is not a plain run of its storage, and the write epoch they were
   * read at. */
  private _flat: { data: DataArray; epoch: number } | null = null;

  constructor(storage: Storage, shape: number[], dtype: DType, strides?: number[], offset = 0) {
    this._storage = storage;
    this.shape = shape;
    this.dtype = dtype;
    this._stridesOrNull = strides ?? null;
    this._offset = offset;
    let n = 1;
    for (let i = 0; i < shape.length; i++) n *= shape[i];
    this._numel = n;
    this._contiguous = strides === undefined || isContiguousGeometry(shape, strides);
  }

  /** @internal Elements between neighbours along each dim, in storage positions. */
  get _strides(): number[] {
    return (this._stridesOrNull ??= contiguousStrides(this.shape));
  }

  /** @internal A new tensor over a fresh buffer. */
  static fromData(data: DataArray, shape: number[], dtype: DType): Tensor {
    adoptStorage(data);
    return new Tensor(new Storage(data), shape, dtype);
  }

  // ---- values ----

  /** @internal The values in row-major order. For a tensor that is a contiguous run of its storage this is the storage
   * itself (or a subarray of it), so writing through it writes the tensor; otherwise it is a copy, for reading only. */
  get _data(): DataArray {
    const data = this._storage.data;
    if (this._contiguous && this._offset === 0 && data.length === this._numel) return data;
    const flat = this._flat;
    if (flat !== null && (this._contiguous || flat.epoch === writes.epoch)) return flat.data;
    if (this._contiguous) {
      this._flat = { data: data.subarray(this._offset, this._offset + this._numel), epoch: 0 };
    } else {
      const copy = allocate(this.dtype, this._numel);
      gather(data, { shape: this.shape, strides: this._strides, offset: this._offset }, copy);
      this._flat = { data: copy, epoch: writes.epoch };
    }
    return this._flat.data;
  }

  /** @internal An in-place write happened: bump the version (autograd's check). */
  _bumpVersion(): void {
    this._storage.version++;
    writes.epoch++;
  }

  /** @internal The storage was replaced (`x.data = y`, `set_`): forget what was read from the old one. */
  _resetView(storage: Storage, strides: number[], offset: number): void {
    this._storage = storage;
    this._stridesOrNull = strides;
    this._offset = offset;
    this._contiguous = isContiguousGeometry(this.shape, strides);
    this._flat = null;
  }

  get ndim(): number {
    return this.shape.length;
  }

  numel(): number {
    return this._numel;
  }

  /** PyTorch's `nelement()`, the same as numel(). */
  nelement(): number {
    return this._numel;
  }

  dim(): number {
    return this.shape.length;
  }

  /** The shape as a new array that prints as PyTorch's `torch.Size([2, 3])`. */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? torchSize(this.shape) : this.shape[normalizeDim(dim, this.ndim)];
  }

  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    return dim === undefined ? [...this._strides] : this._strides[normalizeDim(dim, this.ndim)];
  }

  storageOffset(): number {
    return this._offset;
  }

  isContiguous(): boolean {
    return this._contiguous;
  }

  /** PyTorch's `x._version`: how many in-place writes the tensor (and the views sharing its counter) has seen. */
  get _version(): number {
    return this._storage.version;
  }

  /** The tensor this one is a view of (PyTorch's `x._base`), or null. */
  get _base(): Tensor | null {
    return this._viewMeta?.base ?? null;
  }

  isView(): boolean {
    return this._viewMeta !== null;
  }

  item(): number;
  item(): number | boolean;
  item(): number | boolean {
    if (this._numel !== 1) throw new RuntimeError(`a Tensor with ${this._numel} elements cannot be converted to Scalar`);
    recorder.current?.onCut?.(this, "item");
    const v = this._storage.data[this._offset];
    return this.dtype === "bool" ? v !== 0 : v;
  }

  tolist(): NestedNumbers {
    recorder.current?.onCut?.(this, "tolist");
    const data = this._storage.data;
    const asValue = this.dtype === "bool" ? (v: number) => v !== 0 : (v: number) => v;
    const build = (dim: number, position: number): NestedNumbers => {
      if (dim === this.ndim) return asValue(data[position]) as number;
      const stride = this._strides[dim];
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, position + i * stride));
    };
    return build(0, this._offset);
  }

  /** NumPy's view of the values, printed as NumPy prints (`array([[-3.,  0.], ...], dtype=float32)`). */
  numpy(): NDArray {
    if (this.requiresGrad) throw new RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
    return new NDArray(this._data, this.shape, this.dtype);
  }

  toString(): string {
    return this._format(this.gradFn);
  }

  /** @internal The print with a given grad_fn: the runner shows the node a view had, not one a read would make anew. */
  _format(gradFn: GradFn | null): string {
    const suffixes: string[] = [];
    if (gradFn) suffixes.push(`grad_fn=<${gradFn.name}>`);
    else if (this.requiresGrad) suffixes.push("requires_grad=True");
    const extra = formatHooks.extraSuffix?.(this);
    if (extra) suffixes.push(extra);
    return formatTensor({ shape: this.shape, dtype: this.dtype, values: this._data }, suffixes);
  }

  /** `console.log(x)` in Node prints what Python's `print(x)` prints. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** JavaScript's operators (`loss > threshold`, `${x}`) see a one-element tensor as its number, and text as the print. */
  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === "string") return this.toString();
    if (this._numel !== 1) {
      throw new RuntimeError(
        `a Tensor with ${this._numel} elements cannot be converted to a number. JavaScript operators such as +, * and > ` +
          `work on numbers only: use tensor methods instead (x.add(y), x.mul(y), x.gt(y)).`,
      );
    }
    return this._storage.data[this._offset];
  }

  // ---- autograd ----

  /** The node that made this tensor; null for leaves. */
  get gradFn(): GradFn | null {
    const view = this._viewMeta;
    if (view !== null && view.attrVersion !== this._storage.version && viewHooks.refreshGradFn) viewHooks.refreshGradFn(this);
    return this._gradFn;
  }

  set gradFn(fn: GradFn | null) {
    this._gradFn = fn;
    if (this._viewMeta !== null) this._viewMeta.attrVersion = this._storage.version;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  get requiresGrad(): boolean {
    if (this._requiresGrad || this._gradFn !== null) return true;
    // A view made where grad was off still requires grad when its base does (PyTorch's DifferentiableViewMeta).
    return this._viewMeta !== null && this._viewMeta.base.requiresGrad;
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
      if (g._numel !== this._numel || g.ndim !== this.ndim || g.shape.some((d, i) => d !== this.shape[i])) {
        throw new RuntimeError(`assigned grad has data of a different size`);
      }
    }
    this._grad = g;
  }

  /** A tensor sharing this one's values, cut from the graph and from its version counter (PyTorch's `.data`: writes
   * through it are invisible to autograd's checks). */
  get data(): Tensor {
    recorder.current?.onCut?.(this, "data");
    return new Tensor(new Storage(this._storage.data), this.shape, this.dtype, this._stridesOrNull ?? undefined, this._offset);
  }

  set data(t: Tensor) {
    if (t.dtype !== this.dtype || t._numel !== this._numel) {
      throw new RuntimeError(`data set to a tensor that requires gradients must match its dtype and size`);
    }
    this._resetView(new Storage(t._storage.data), t._strides.slice(), t._offset);
  }

  /** @internal Makes this tensor show `t`'s values, dtype and layout (Module.to(dtype) on a parameter: the same
   * Parameter object, as PyTorch keeps it). */
  _setData(t: Tensor): void {
    (this as { dtype: DType }).dtype = t.dtype;
    this._resetView(t._storage, t._strides.slice(), t._offset);
  }

  /** Cuts this tensor from the graph in place: it becomes a leaf that does not require grad. */
  detach_(): this {
    recorder.current?.onCut?.(this, "detach_");
    if (this._viewMeta !== null) {
      throw new RuntimeError("Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP buckets, and hence detach_() cannot be called on these gradients. To fix this error, please refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
    }
    this._gradFn = null;
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

  /** @internal PyTorch's description of a tensor in messages: `[torch.FloatTensor [2, 2]]`. */
  _describe(): string {
    return `[${torchTypeName(this.dtype)} ${formatShape(this.shape)}]`;
  }
}

export type NestedNumbers = number | boolean | NestedNumbers[];
export type ShapeArgs = number[] | [readonly number[]];

/** Adds methods to Tensor (from the op family files, each next to its ops), non-enumerable as class methods are. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each family declares its methods' real types by module augmentation
export function addMethods(methods: Record<string, (this: Tensor, ...args: any[]) => unknown>): void {
  for (const [name, value] of Object.entries(methods)) {
    Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true, enumerable: false });
  }
}
