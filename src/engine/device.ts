/**
 * Devices as PyTorch names them, for code that moves tensors around: Gradlens computes on the CPU only, so `cpu` is
 * the one device a tensor can be on. `device("cpu")`, `x.device`, `x.to(device)`, `x.cpu()`, `model.to(device)` and
 * `{ device: "cpu" }` in a creator's options work as PyTorch's do on a machine without CUDA (which is what
 * `cuda.isAvailable()` says); asking for `cuda` (or `mps`) gives PyTorch's error for such a machine.
 */
import { AssertionError, RuntimeError } from "./errors";

const TYPES = ["cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "ort", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "privateuseone"];

/** `torch.device`: a type and an optional index; prints as PyTorch prints it, `device(type='cpu')`. */
export class Device {
  constructor(
    readonly type: string,
    readonly index: number | null = null,
  ) {}

  /** Python's `str(device)`: `cpu`, `cuda:0`. */
  toString(): string {
    return this.index === null ? this.type : `${this.type}:${this.index}`;
  }

  /** Python's `repr(device)`, what `console.log` prints. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.index === null ? `device(type='${this.type}')` : `device(type='${this.type}', index=${this.index})`;
  }
}

export type DeviceLike = string | Device;

/** `torch.device("cpu")`, `device("cuda:0")`, `device("cuda", 1)`. */
export function device(spec: DeviceLike, index?: number): Device {
  if (spec instanceof Device) return spec;
  if (typeof spec !== "string") throw new TypeError(`device(): expected a string such as "cpu", but got ${typeof spec}`);
  const [type, at, ...rest] = spec.split(":");
  if (!TYPES.includes(type) || rest.length > 0) {
    throw new RuntimeError(`Expected one of ${TYPES.join(", ")} device type at start of device string: ${spec}`);
  }
  if (at !== undefined && !/^\d+$/.test(at)) throw new RuntimeError(`Invalid device string: '${spec}'`);
  if (at !== undefined && index !== undefined) throw new RuntimeError("type (string) must not include an index because index was passed explicitly: " + spec);
  return new Device(type, at !== undefined ? Number(at) : (index ?? null));
}

/** Whether a string names a device rather than a dtype (`x.to("cpu")` against `x.to("float64")`). */
export function isDeviceString(v: unknown): v is string {
  return typeof v === "string" && TYPES.includes(v.split(":")[0]);
}

/** Checks that `spec` is the CPU, with PyTorch's error when it is a device this machine does not have. */
export function requireCpu(spec: DeviceLike, where: string): void {
  const d = device(spec);
  if (d.type === "cpu" || d.type === "meta") {
    if (d.type === "meta") throw new RuntimeError(`${where}: the meta device is not supported by Gradlens`);
    return;
  }
  if (d.type === "cuda") throw new AssertionError("Torch not compiled with CUDA enabled");
  throw new RuntimeError(`${where}: Gradlens computes on the CPU only; the ${d.type} device is not available`);
}

/** The device every Gradlens tensor is on. */
export const CPU = new Device("cpu");

/** `torch.cuda`, as on a machine without CUDA. */
export const cuda = {
  isAvailable: (): boolean => false,
  deviceCount: (): number => 0,
};
