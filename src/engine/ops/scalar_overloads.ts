/**
 * The Scalar overloads of add, sub, mul and div (`at::add(t, 1.5)` in ATen's C++). Python's `x * 2` wraps the number
 * into a tensor and records MulBackward0; PyTorch's own C++ composites (label smoothing in cross_entropy, the margin
 * losses, pairwise_distance) call the Scalar overloads, which record AddBackward1, SubBackward1, MulBackward1 and
 * DivBackward1. The engine's graph names them as PyTorch does, so these are ops of their own.
 */
import { isFloating } from "../dtype";
import type { Tensor } from "../tensor";
import { binaryForward } from "./binary_forward";
import { apply, defineOp } from "./op";
import { operand, promote } from "./operands";

interface ScalarAttrs {
  scalar: number;
}

function scalarForward(t: Tensor, s: number, f: (x: number, y: number) => number, trueDivision = false): Tensor {
  const b = operand(s);
  const dtype = promote(t, b);
  // div is true division: integers divided give the default float dtype.
  return binaryForward(t, b, trueDivision && !isFloating(dtype) ? "float32" : dtype, f);
}

const addScalarOp = defineOp<ScalarAttrs>({
  name: "addScalar",
  gradFnName: "AddBackward1",
  forward: ([t], { scalar }) => scalarForward(t, scalar, (x, y) => x + y),
  backward: (_, g) => [g],
});

const subScalarOp = defineOp<ScalarAttrs>({
  name: "subScalar",
  gradFnName: "SubBackward1",
  forward: ([t], { scalar }) => scalarForward(t, scalar, (x, y) => x - y),
  backward: (_, g) => [g],
});

const mulScalarOp = defineOp<ScalarAttrs>({
  name: "mulScalar",
  gradFnName: "MulBackward1",
  forward: ([t], { scalar }) => scalarForward(t, scalar, (x, y) => x * y),
  backward: ({ attrs: { scalar } }, g) => [g.mul(scalar)],
});

const divScalarOp = defineOp<ScalarAttrs>({
  name: "divScalar",
  gradFnName: "DivBackward1",
  forward: ([t], { scalar }) => scalarForward(t, scalar, (x, y) => x / y, true),
  backward: ({ attrs: { scalar } }, g) => [g.div(scalar)],
});

/** `at::add(t, s)`: AddBackward1. */
export function addScalar(t: Tensor, scalar: number): Tensor {
  return apply(addScalarOp, [t], { scalar });
}

/** `at::sub(t, s)`: SubBackward1. */
export function subScalar(t: Tensor, scalar: number): Tensor {
  return apply(subScalarOp, [t], { scalar });
}

/** `at::mul(t, s)`: MulBackward1. */
export function mulScalar(t: Tensor, scalar: number): Tensor {
  return apply(mulScalarOp, [t], { scalar });
}

/** `at::div(t, s)`: DivBackward1. */
export function divScalar(t: Tensor, scalar: number): Tensor {
  return apply(divScalarOp, [t], { scalar });
}
