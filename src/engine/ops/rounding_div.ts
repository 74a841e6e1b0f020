/**
 * Division that rounds its quotient: `div(a, b, { roundingMode: "trunc" | "floor" })` and `floorDivide`. The
 * quotient is piecewise constant, so autograd's gradient is zero (div with a rounding mode) or missing (floor_divide
 * has no derivative in PyTorch). Integer inputs stay integers, as in PyTorch; dividing one by zero is an error.
 */
import { isFloating, type DType } from "../dtype";
import { RuntimeError } from "../errors";
import type { BinaryFn } from "../kernels/elementwise";
import { binaryForward } from "./binary_forward";
import { apply, defineOp } from "./op";
import { empty, operand, promote } from "./operands";
import type { Tensor, TensorOrScalar } from "../tensor";

export type RoundingMode = "trunc" | "floor";

function integerDivisor(y: number): number {
  if (y === 0) throw new RuntimeError("ZeroDivisionError");
  return y;
}

/** Python's floor division of floats, as ATen's div_floor_floating forms it: through fmod, so that a quotient just
 * under an integer is not rounded up to it by the division, and with the sign of a zero quotient kept. */
function floorFloat(round: (v: number) => number): BinaryFn {
  return (a, b) => {
    if (b === 0) return a / b;
    const mod = a % b;
    let q = round(round(a - mod) / b);
    if (mod !== 0 && b < 0 !== mod < 0) q = round(q - 1);
    if (q === 0) return Math.sign(a / b) < 0 || Object.is(a / b, -0) ? -0 : 0;
    let floored = Math.floor(q);
    if (q - floored > 0.5) floored += 1;
    return floored;
  };
}

/** The element function for `mode` in `dtype`: floats round the quotient to their precision first. */
function quotient(mode: RoundingMode, dtype: DType): BinaryFn {
  const round = dtype === "float32" ? Math.fround : (v: number) => v;
  if (isFloating(dtype)) return mode === "trunc" ? (a, b) => Math.trunc(round(a / b)) : floorFloat(round);
  // + 0: integers have no −0.
  if (mode === "trunc") return (a, b) => Math.trunc(a / integerDivisor(b)) + 0;
  return (a, b) => {
    const q = Math.trunc(a / integerDivisor(b)) + 0;
    return a % b !== 0 && a % b < 0 !== b < 0 ? q - 1 : q;
  };
}

const roundedDivOp = defineOp<RoundingMode>({
  name: "div",
  gradFnName: "DivBackward2",
  forward: ([a, b], mode) => {
    const dtype = promote(a, b);
    return binaryForward(a, b, dtype, quotient(mode, dtype));
  },
  backward: ({ needsInputGrad: [da, db] }, g) => [da ? empty(g.shape.slice(), g.dtype) : null, db ? empty(g.shape.slice(), g.dtype) : null],
});

/** PyTorch has no derivative for floor_divide: the graph records it, and backward through it fails. */
const floorDivideOp = defineOp({
  name: "floorDivide",
  gradFnName: "NotImplemented",
  forward: ([a, b]) => {
    const dtype = promote(a, b);
    return binaryForward(a, b, dtype, quotient("floor", dtype));
  },
  backward: () => {
    throw new RuntimeError("the derivative for 'floor_divide' is not implemented.");
  },
});

export function roundingModeOf(mode: unknown): RoundingMode | null {
  if (mode === undefined || mode === null) return null;
  if (mode === "trunc" || mode === "floor") return mode;
  throw new RuntimeError(`div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '${String(mode)}'`);
}

export function roundedDiv(a: TensorOrScalar, b: TensorOrScalar, mode: RoundingMode): Tensor {
  return apply(roundedDivOp, [operand(a), operand(b)], mode);
}

export function floorDivide(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return apply(floorDivideOp, [operand(a), operand(b)], undefined);
}
