/**
 * More activations of torch.nn.functional, each with PyTorch's node (LeakyReluBackward0, GeluBackward0, ...) where
 * PyTorch has one, composed where PyTorch composes (softsign, softmin, relu6 as hardtanh). Forward formulas in float64,
 * rounded once; backward beside each, written with differentiable ops.
 */
import { isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import * as special from "../kernels/special_functions";
import { around, scatterAddAlong } from "../ops/along_dim";
import { apply, defineOp } from "../ops/op";
import { inplace } from "../ops/inplace";
import { empty } from "../ops/operands";
import { refuse } from "../ops/pointwise_op";
import { normalizeDim } from "../shape";
import type { Tensor } from "../tensor";
import { type SoftplusAttrs, geluBackward, geluF32, softmax, softplusBackward, softplusF32 } from "./activation";

/** An activation: elementwise `f(x, attrs)` with its node, and `inplace` through the engine's in-place machinery
 * (PyTorch names some in-place nodes apart: leaky_relu_ is LeakyReluBackward1). */
function activation<A>(
  name: string,
  gradFnName: string,
  f: (x: number, attrs: A) => number,
  backward: (x: Tensor, g: Tensor, attrs: A, out: Tensor) => Tensor,
  inplaceGradFnName = gradFnName,
  /** PyTorch's kernel name in "not implemented for 'Long'" (name_cpu by default); `integers` where int64 works. */
  kernel: string | { integers: true; boolMessage: string } = `${name}_cpu`,
  /** float32's own kernel, where PyTorch's float32 results differ from the float64 formula rounded once. */
  f32?: (x: Tensor, src: Float32Array, out: Float32Array, attrs: A) => void,
) {
  const def = (nodeName: string) => defineOp<A>({
    name,
    gradFnName: nodeName,
    forward: ([x], attrs) => {
      const out = empty(x.shape.slice(), x.dtype);
      const src = x._data;
      if (f32 && x.dtype === "float32") f32(x, src as Float32Array, out._data as Float32Array, attrs);
      else {
        const od = out._data;
        for (let i = 0; i < src.length; i++) od[i] = f(src[i], attrs);
      }
      return out;
    },
    backward: ({ inputs: [x], output, attrs }, g) => [backward(x, g, attrs, output)],
    saves: { inputs: [0], output: true },
  });
  const op = def(gradFnName);
  const inplaceOp = inplaceGradFnName === gradFnName ? op : def(inplaceGradFnName);
  return (x: Tensor, attrs: A, inPlace = false): Tensor => {
    if (!isFloating(x.dtype)) {
      if (typeof kernel === "string") refuse(kernel, x.dtype);
      if (x.dtype === "bool") throw new RuntimeError(kernel.boolMessage);
    }
    return inPlace ? inplace(x, (self) => apply(inplaceOp, [self], attrs)) : apply(op, [x], attrs);
  };
}

const leakyReluOp = activation<number>(
  "leaky_relu", "LeakyReluBackward0",
  (x, slope) => (x > 0 ? x : x * slope),
  (x, g, slope) => g.mul(x.gt(0).float().mul(1 - slope).add(slope).to(g.dtype)),
  "LeakyReluBackward1",
);

export function leakyRelu(x: Tensor, negativeSlope = 0.01, inPlace = false): Tensor {
  return leakyReluOp(x, negativeSlope, inPlace);
}

interface EluAttrs {
  alpha: number;
  scale: number;
  inputScale: number;
}

/** PyTorch's elu kernel, shared by elu, selu and celu: scale·x for x > 0, scale·alpha·(exp(x·inputScale) − 1) else. */
function eluLike(name: string, gradFnName: string, inplaceGradFnName: string) {
  return activation<EluAttrs>(
    name, gradFnName,
    (x, { alpha, scale, inputScale }) => (x > 0 ? scale * x : scale * alpha * Math.expm1(x * inputScale)),
    (x, g, { alpha, scale, inputScale }) => {
      const positive = x.gt(0);
      const negativePart = x.mul(inputScale).exp().mul(alpha * scale * inputScale);
      return g.mul(negativePart.mul(positive.logicalNot()).add(positive.to(g.dtype).mul(scale)));
    },
    inplaceGradFnName,
    "elu_cpu",
  );
}

const eluOp = eluLike("elu", "EluBackward0", "EluBackward1");
const celuOp = eluLike("celu", "CeluBackward0", "CeluBackward1");
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

export function elu(x: Tensor, alpha = 1, inPlace = false): Tensor {
  return eluOp(x, { alpha, scale: 1, inputScale: 1 }, inPlace);
}

export function selu(x: Tensor, inPlace = false): Tensor {
  return eluOp(x, { alpha: SELU_ALPHA, scale: SELU_SCALE, inputScale: 1 }, inPlace);
}

export function celu(x: Tensor, alpha = 1, inPlace = false): Tensor {
  if (alpha === 0) throw new RuntimeError("ZeroDivisionError");
  return celuOp(x, { alpha, scale: 1, inputScale: 1 / alpha }, inPlace);
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const geluOp = activation<"none" | "tanh">(
  "gelu", "GeluBackward0",
  (x, approximate) =>
    approximate === "tanh" ? 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))) : 0.5 * x * (1 + special.erf(x / Math.SQRT2)),
  // gelu_backward as PyTorch's kernel computes it, as an op of its own (GeluBackwardBackward0).
  (x, g, approximate) => geluBackward(g, x, approximate),
  "GeluBackward0",
  "GeluKernelImpl",
  (x, src, out, approximate) => geluF32(x, src, out, approximate),
);

/** `F.gelu(x)`, `F.gelu(x, "tanh")` or `F.gelu(x, {approximate: "tanh"})`. */
export function gelu(x: Tensor, approximate: "none" | "tanh" | { approximate?: "none" | "tanh" } = "none"): Tensor {
  const mode = typeof approximate === "string" ? approximate : (approximate.approximate ?? "none");
  if (mode !== "none" && mode !== "tanh") throw new RuntimeError(`approximate argument must be either none or tanh.`);
  return geluOp(x, mode);
}

const sigmoidOf = (x: number) => 1 / (1 + Math.exp(-x));

const siluOp = activation<void>(
  "silu", "SiluBackward0",
  (x) => x * sigmoidOf(x),
  (x, g) => {
    const s = x.sigmoid();
    return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
  },
);

export function silu(x: Tensor, inPlace = false): Tensor {
  return siluOp(x, undefined, inPlace);
}

/** softplus with PyTorch's threshold: above it, x itself. */
function softplusScalar(x: number, beta: number, threshold: number): number {
  return x * beta > threshold ? x : Math.log1p(Math.exp(x * beta)) / beta;
}

const mishOp = activation<void>(
  "mish", "MishBackward0",
  (x) => x * Math.tanh(softplusScalar(x, 1, 20)),
  (x, g) => {
    const t = softplus(x).tanh();
    return g.mul(t.add(x.mul(x.sigmoid()).mul(t.pow(2).neg().add(1))));
  },
);

export function mish(x: Tensor, inPlace = false): Tensor {
  return mishOp(x, undefined, inPlace);
}

const softplusOp = activation<SoftplusAttrs>(
  "softplus", "SoftplusBackward0",
  (x, { beta, threshold }) => softplusScalar(x, beta, threshold),
  // softplus_backward as PyTorch's kernel computes it, as an op of its own (SoftplusBackwardBackward0).
  (x, g, attrs) => softplusBackward(g, x, attrs),
  "SoftplusBackward0",
  "softplus_cpu",
  (_, src, out, { beta, threshold }) => softplusF32(src, out, beta, threshold),
);

export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  return softplusOp(x, { beta, threshold });
}

/** x / (1 + |x|), composed as PyTorch composes it (DivBackward0). */
export function softsign(x: Tensor): Tensor {
  if (x.dtype === "bool") refuse("abs_cpu", x.dtype);
  return x.div(x.abs().add(1));
}

interface HardtanhAttrs {
  min: number;
  max: number;
}

const hardtanhOp = activation<HardtanhAttrs>(
  "hardtanh", "HardtanhBackward0",
  (x, { min, max }) => (x !== x ? x : Math.min(Math.max(x, min), max)),
  (x, g, { min, max }) => g.mul(x.gt(min).logicalAnd(x.lt(max))),
  "HardtanhBackward0",
  { integers: true, boolMessage: "Bool inputs not supported for hardtanh" },
);

export function hardtanh(x: Tensor, minVal = -1, maxVal = 1, inPlace = false): Tensor {
  return hardtanhOp(x, { min: minVal, max: maxVal }, inPlace);
}

/** hardtanh(x, 0, 6), as PyTorch (HardtanhBackward0). */
export function relu6(x: Tensor, inPlace = false): Tensor {
  return hardtanh(x, 0, 6, inPlace);
}

const hardsigmoidOp = activation<void>(
  "hardsigmoid", "HardsigmoidBackward0",
  (x) => Math.min(Math.max(x + 3, 0), 6) / 6,
  (x, g) => g.mul(x.gt(-3).logicalAnd(x.lt(3))).div(6),
);

export function hardsigmoid(x: Tensor, inPlace = false): Tensor {
  return hardsigmoidOp(x, undefined, inPlace);
}

const hardswishOp = activation<void>(
  "hardswish", "HardswishBackward0",
  (x) => (x * Math.min(Math.max(x + 3, 0), 6)) / 6,
  (x, g) => {
    const middle = x.ge(-3).logicalAnd(x.le(3));
    return g.mul(x.div(3).add(0.5).mul(middle).add(x.gt(3)));
  },
);

export function hardswish(x: Tensor, inPlace = false): Tensor {
  return hardswishOp(x, undefined, inPlace);
}

const logsigmoidOp = activation<void>(
  "log_sigmoid", "LogSigmoidBackward0",
  (x) => -softplusScalar(-x, 1, Infinity),
  (x, g) => g.mul(x.neg().sigmoid()),
);

export function logsigmoid(x: Tensor): Tensor {
  return logsigmoidOp(x, undefined);
}

/** softmax(−x), as PyTorch (SoftmaxBackward0 after NegBackward0). */
export function softmin(x: Tensor, dim: number): Tensor {
  return softmax(x.neg(), dim);
}

const gluOp = defineOp<number>({
  name: "glu",
  gradFnName: "GluBackward0",
  forward: ([x], dim) => {
    const half = x.shape[dim] / 2;
    const shape = x.shape.map((s, i) => (i === dim ? half : s));
    const out = empty(shape, x.dtype);
    let inner = 1;
    for (let i = dim + 1; i < x.ndim; i++) inner *= x.shape[i];
    let outer = 1;
    for (let i = 0; i < dim; i++) outer *= x.shape[i];
    const src = x._data;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < half; k++) {
        for (let i = 0; i < inner; i++) {
          const a = src[(o * 2 * half + k) * inner + i];
          const b = src[(o * 2 * half + half + k) * inner + i];
          out._data[(o * half + k) * inner + i] = a * sigmoidOf(b);
        }
      }
    }
    return out;
  },
  // d/da = σ(b), d/db = a·σ(b)·(1 − σ(b)); the two halves' gradients side by side along dim.
  backward: ({ inputs: [x], attrs: dim }, g) => {
    const [a, b] = x.chunk(2, dim);
    const s = b.sigmoid();
    return [catAlong([g.mul(s), g.mul(a).mul(s).mul(s.neg().add(1))], dim, x.shape)];
  },
  saves: { inputs: [0] },
});

/** Two halves side by side along dim, with differentiable ops: each scattered into zeros of the full shape. */
function catAlong([first, second]: Tensor[], dim: number, shape: readonly number[]): Tensor {
  const half = shape[dim] / 2;
  const positions = (offset: number) => {
    const idx = empty(first.shape.slice(), "int64");
    const { size, inner } = around(first.shape, dim);
    for (let p = 0; p < idx._data.length; p++) idx._data[p] = (Math.floor(p / inner) % size) + offset;
    return idx;
  };
  return scatterAddAlong(first, dim, positions(0), shape.slice()).add(scatterAddAlong(second, dim, positions(half), shape.slice()));
}

/** `F.glu(x, dim = -1)`: a·σ(b) for the two halves a, b of x along dim. */
export function glu(x: Tensor, dim = -1): Tensor {
  if (!isFloating(x.dtype)) refuse("glu_cpu", x.dtype);
  if (x.ndim === 0) throw new RuntimeError("glu does not support scalars because halving size must be even");
  const d = normalizeDim(dim, x.ndim);
  if (x.shape[d] % 2 !== 0) throw new RuntimeError(`Halving dimension must be even, but dimension ${d} is size ${x.shape[d]}`);
  return apply(gluOp, [x], d);
}

interface ThresholdAttrs {
  threshold: number;
  value: number;
}

const thresholdOp = activation<ThresholdAttrs>(
  "threshold", "ThresholdBackward0",
  (x, { threshold, value }) => (x > threshold || x !== x ? x : value),
  (x, g, { threshold }) => g.mul(x.gt(threshold)),
  "ThresholdBackward1",
  { integers: true, boolMessage: `"threshold_cpu" not implemented for 'Bool'` },
);

/** x where x > threshold, else value. */
export function threshold(x: Tensor, thresholdValue: number, value: number, inPlace = false): Tensor {
  return thresholdOp(x, { threshold: thresholdValue, value }, inPlace);
}
