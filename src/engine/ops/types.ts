/**
 * dtypes (and the device) on a tensor: `type()`, `to(dtype | device | tensor | {dtype, device})` with checked names,
 * `device`, `cpu()`, `isFloatingPoint()`,
 * `elementSize()`, and the `new*` factories that take the tensor's dtype (newZeros, newOnes, newFull, newEmpty,
 * newTensor). float16 and bfloat16 are out of Gradlens's scope and refused with a message that says so.
 */
import { type DType, DTYPES, torchTypeName } from "../dtype";
import { RuntimeError } from "../errors";
import { full, type NestedData, ones, tensor, type TensorOptions, zeros } from "../create";
import { CPU, Device, type DeviceLike, isDeviceString, requireCpu } from "../device";
import { Tensor, addMethods } from "../tensor";
import { cast } from "./copy";

const UNSUPPORTED: Record<string, string> = {
  float16: "float16", half: "float16", "torch.float16": "float16", "torch.half": "float16", "torch.HalfTensor": "float16",
  bfloat16: "bfloat16", "torch.bfloat16": "bfloat16", "torch.BFloat16Tensor": "bfloat16",
};

const BY_TYPE_NAME: Record<string, DType> = Object.fromEntries(DTYPES.map((d) => [torchTypeName(d), d]));

/** A dtype from its Gradlens name ("float32"), PyTorch's ("torch.float32") or a type name ("torch.FloatTensor"). */
export function dtypeFrom(name: unknown, where: string): DType {
  if (typeof name === "string") {
    if (UNSUPPORTED[name]) {
      throw new TypeError(`${where}: ${UNSUPPORTED[name]} is not supported by Gradlens (it computes in float32 and float64 only); use "float32" or "float64"`);
    }
    if ((DTYPES as readonly string[]).includes(name)) return name as DType;
    const bare = name.replace(/^torch\./, "");
    if ((DTYPES as readonly string[]).includes(bare)) return bare as DType;
    const aliases: Record<string, DType> = { float: "float32", double: "float64", long: "int64" };
    if (aliases[bare]) return aliases[bare];
    if (BY_TYPE_NAME[name]) return BY_TYPE_NAME[name];
  }
  throw new TypeError(`${where}: dtype must be one of ${DTYPES.map((d) => `"${d}"`).join(", ")}, but got ${JSON.stringify(name)}`);
}

type ToTarget = DType | DeviceLike | Tensor | { dtype?: DType; device?: DeviceLike; copy?: boolean };

/** `x.to("float64")`, `x.to("cpu")` or `x.to(device)` (then `x.to(device, dtype)`), `x.to(other)` (other's dtype),
 * `x.to({dtype, device, copy})`; the same tensor when nothing changes. */
export function to(t: Tensor, target: ToTarget, dtype?: DType): Tensor {
  if (target instanceof Device || isDeviceString(target)) {
    requireCpu(target, "to()");
    return dtype === undefined ? t : cast(t, dtypeFrom(dtype, "to()"));
  }
  if (target instanceof Tensor) return cast(t, target.dtype);
  if (typeof target === "object" && target !== null) {
    if (target.device !== undefined) requireCpu(target.device, "to()");
    const wanted = target.dtype === undefined ? t.dtype : dtypeFrom(target.dtype, "to()");
    return target.copy && wanted === t.dtype ? t.clone() : cast(t, wanted);
  }
  return cast(t, dtypeFrom(target, "to()"));
}

/** PyTorch's dtype objects by name (`torch.float64` is `float64`), for `{ dtype: float64 }` and `x.to(float64)`. */
export const float32 = "float32" as const;
export const float64 = "float64" as const;
export const int64 = "int64" as const;
export const bool = "bool" as const;
/** PyTorch's aliases: `torch.float` is float32, `torch.double` float64, `torch.long` int64. */
export const float = "float32" as const;
export const double = "float64" as const;
export const long = "int64" as const;

function newOptions(t: Tensor, options: TensorOptions | undefined): TensorOptions {
  return { dtype: t.dtype, ...options };
}

declare module "../tensor" {
  interface Tensor {
    /** PyTorch's type name, e.g. "torch.FloatTensor"; with a dtype, the tensor cast to it. */
    type(): string;
    type(dtype: DType | string): Tensor;
    to(target: ToTarget, dtype?: DType): Tensor;
    /** `torch.device(type='cpu')`: every Gradlens tensor is on the CPU. */
    readonly device: Device;
    /** The tensor itself: it is on the CPU already. */
    cpu(): Tensor;
    /** PyTorch's error on a machine without CUDA. */
    cuda(): never;
    readonly isCuda: boolean;
    isFloatingPoint(): boolean;
    /** Bytes per element as PyTorch stores the dtype (int64 is 8 even though Gradlens holds it in a double). */
    elementSize(): number;
    half(): never;
    bfloat16(): never;
    newZeros(shape: readonly number[], options?: TensorOptions): Tensor;
    newOnes(shape: readonly number[], options?: TensorOptions): Tensor;
    newFull(shape: readonly number[], value: number, options?: TensorOptions): Tensor;
    newEmpty(shape: readonly number[], options?: TensorOptions): Tensor;
    newTensor(data: NestedData, options?: TensorOptions): Tensor;
  }
}

addMethods({
  type(this: Tensor, dtype?: DType | string) {
    return dtype === undefined ? torchTypeName(this.dtype) : cast(this, dtypeFrom(dtype, "type()"));
  },
  to(this: Tensor, target: ToTarget, dtype?: DType) {
    return to(this, target, dtype);
  },
  cpu(this: Tensor) {
    return this;
  },
  cuda(this: Tensor): never {
    requireCpu("cuda", "cuda()");
    throw new RuntimeError("unreachable");
  },
  isFloatingPoint(this: Tensor) {
    return this.dtype === "float32" || this.dtype === "float64";
  },
  elementSize(this: Tensor) {
    return { float32: 4, float64: 8, int64: 8, bool: 1 }[this.dtype];
  },
  half(this: Tensor) {
    return dtypeFrom("float16", "half()");
  },
  bfloat16(this: Tensor) {
    return dtypeFrom("bfloat16", "bfloat16()");
  },
  newZeros(this: Tensor, shape: readonly number[], options?: TensorOptions) {
    return zeros(shape, newOptions(this, options));
  },
  newOnes(this: Tensor, shape: readonly number[], options?: TensorOptions) {
    return ones(shape, newOptions(this, options));
  },
  newFull(this: Tensor, shape: readonly number[], value: number, options?: TensorOptions) {
    return full(shape, value, newOptions(this, options));
  },
  newEmpty(this: Tensor, shape: readonly number[], options?: TensorOptions) {
    return zeros(shape, newOptions(this, options));
  },
  newTensor(this: Tensor, data: NestedData, options?: TensorOptions) {
    if (data instanceof Tensor) throw new RuntimeError("new_tensor(): pass values, not a Tensor (use clone().detach() to copy a tensor)");
    return tensor(data, newOptions(this, options));
  },
});

Object.defineProperty(Tensor.prototype, "device", {
  get: () => CPU,
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "isCuda", {
  get: () => false,
  configurable: true,
});
