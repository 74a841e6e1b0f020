/**
 * autograd.functional, as torch.autograd.functional 1.13 computes it: vjp and vhp by backward passes, jvp and hvp by
 * the double-backward trick (the vjp of a function is linear in its vector, so differentiating it once more with
 * respect to that vector gives J·v), jacobian row by row (one backward per output element), hessian as the jacobian of
 * the jacobian. Inputs and outputs are a Tensor or an array of Tensors (Python's tuples), and results come back in the
 * same shapes as PyTorch's: a Tensor, an array, or for jacobian/hessian of arrays an array of arrays.
 *
 * `vectorize` is accepted: PyTorch then batches the backward passes with vmap, which gives the same values as the row by
 * row loop used here. `strategy: "forward-mode"` gives the same values too (computed in reverse mode), after
 * PyTorch's checks of what it does not support.
 */
import { type DType, allocate } from "../dtype";
import { RuntimeError } from "../errors";
import { stack } from "../ops/join";
import { Tensor } from "../tensor";
import { grad } from "./backward";
import { isGradEnabled, withGradMode } from "./grad_mode";

type Tensors = Tensor | Tensor[];
type Fn = (...inputs: Tensor[]) => Tensors;

function describeType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "Array";
  return typeof v === "object" ? ((v as object).constructor?.name ?? "object") : typeof v;
}

/** PyTorch's _as_tuple: whether the value was a tuple (here an array), and its tensors. */
function asTuple(value: unknown, argName: string, fnName: string): [boolean, Tensor[]] {
  const isTuple = Array.isArray(value);
  const items = isTuple ? (value as unknown[]) : [value];
  items.forEach((el, i) => {
    if (!(el instanceof Tensor)) {
      throw new TypeError(
        isTuple
          ? `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the value at index ${i} has type ${describeType(el)}.`
          : `The ${argName} given to ${fnName} must be either a Tensor or a tuple of Tensors but the given ${argName} has type ${describeType(el)}.`,
      );
    }
  });
  return [isTuple, items as Tensor[]];
}

/** Inputs made leaves of a fresh graph, or (with createGraph) differentiable aliases of themselves. */
function gradPreprocess(inputs: Tensor[], createGraph: boolean, needGraph: boolean): Tensor[] {
  return inputs.map((t) => (createGraph && t.requiresGrad ? t.viewAs(t) : t.detach().requiresGrad_(needGraph)));
}

function gradPostprocess(ts: Tensor[], createGraph: boolean): Tensor[] {
  return createGraph ? ts : ts.map((t) => t.detach());
}

function unpack<T>(items: T[], isTuple: boolean): T | T[] {
  return isTuple ? items : items[0];
}

function validateV(v: Tensor[], other: Tensor[], isOtherTuple: boolean): void {
  if (v.length !== other.length) {
    throw new RuntimeError(isOtherTuple ? `v is a tuple of invalid length: should be ${other.length} but got ${v.length}.` : "The given v should contain a single Tensor.");
  }
  v.forEach((el, i) => {
    const o = other[i];
    if (el.ndim !== o.ndim || el.shape.some((d, k) => d !== o.shape[k])) {
      throw new RuntimeError(`${isOtherTuple ? `Entry ${i} in ` : ""}v has invalid size: should be torch.Size([${o.shape.join(", ")}]) but got torch.Size([${el.shape.join(", ")}]).`);
    }
  });
}

type CheckKind = "outputs" | "grad_inputs" | "jacobian" | "hessian";

function checkRequiresGrad(ts: Array<Tensor | null>, kind: CheckKind, strict: boolean): void {
  if (!strict) return;
  ts.forEach((t, i) => {
    if (t === null) throw new RuntimeError(`The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`);
    if (t.requiresGrad) return;
    if (kind === "hessian") {
      throw new RuntimeError(
        `The hessian of the user-provided function with respect to input ${i} is independent of the input. This is not allowed in strict mode. You should ensure that your function is thrice differentiable and that the hessian depends on the inputs.`,
      );
    }
    if (kind === "jacobian") {
      throw new RuntimeError(
        `While computing the hessian, found that the jacobian of the user-provided function with respect to input ${i} is independent of the input. This is not allowed in strict mode. You should ensure that your function is twice differentiable and that the jacobian depends on the inputs (this would be violated by a linear function for example).`,
      );
    }
    if (kind === "grad_inputs") throw new RuntimeError(`The gradient with respect to input ${i} is independent of the inputs of the user-provided function. This is not allowed in strict mode.`);
    throw new RuntimeError(`Output ${i} of the user-provided function does not require gradients. The outputs must be computed in a differentiable manner from the input when running in strict mode.`);
  });
}

/** autograd.grad over the outputs that require grad (all null when none does). */
function autogradGrad(outputs: Array<Tensor | null>, inputs: Tensor[], gradOutputs: Array<Tensor | null> | null, createGraph: boolean, retainGraph?: boolean): Array<Tensor | null> {
  const outs: Tensor[] = [];
  const gos: Array<Tensor | null> = [];
  outputs.forEach((o, i) => {
    if (o !== null && o.requiresGrad) {
      outs.push(o);
      gos.push(gradOutputs ? gradOutputs[i] : null);
    }
  });
  if (!outs.length) return inputs.map(() => null);
  return grad(outs, inputs, { gradOutputs: gos, allowUnused: true, createGraph, retainGraph: retainGraph ?? createGraph });
}

type Stage = "back" | "back_trick" | "double_back" | "double_back_trick";

function fillInZeros(grads: Array<Tensor | null>, refs: Tensor[], strict: boolean, createGraph: boolean, stage: Stage): Tensor[] {
  return grads.map((g, i) => {
    if (g === null) {
      if (strict) {
        const messages: Record<Stage, string> = {
          back: `The output of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`,
          back_trick: `The gradient with respect to the input is independent of entry ${i} in the grad_outputs when using the double backward trick to compute forward mode gradients. This is not allowed in strict mode.`,
          double_back: `The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode.`,
          double_back_trick: `The hessian of the user-provided function is independent of entry ${i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using the double backward trick to replace forward mode AD.`,
        };
        throw new RuntimeError(messages[stage]);
      }
      return zerosLike(refs[i]);
    }
    if (strict && createGraph && !g.requiresGrad) {
      throw new RuntimeError(
        stage.includes("double")
          ? `The hessian of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`
          : `The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`,
      );
    }
    return g;
  });
}

function zerosOf(shape: number[], dtype: DType, requiresGrad = false): Tensor {
  const z = Tensor.fromData(allocate(dtype, shape.reduce((a, b) => a * b, 1)), shape, dtype);
  return requiresGrad ? z.requiresGrad_(true) : z;
}

function zerosLike(t: Tensor, requiresGrad = false): Tensor {
  return zerosOf(t.shape.slice(), t.dtype, requiresGrad);
}

export interface FunctionalOptions {
  createGraph?: boolean;
  strict?: boolean;
}

/** The vector v, checked against `against` (or absent when that is a single one-element tensor). */
function prepareV(v: Tensors | null | undefined, against: Tensor[], againstTuple: boolean, fnName: string, createGraph: boolean, noneMessage: string): Tensor[] | null {
  if (v !== null && v !== undefined) {
    const [, vs] = asTuple(v, "v", fnName);
    const prepared = gradPreprocess(vs, createGraph, false);
    validateV(prepared, against, againstTuple);
    return prepared;
  }
  if (against.length !== 1 || against[0].numel() !== 1) throw new RuntimeError(noneMessage);
  return null;
}

/** autograd.functional.vjp(func, inputs, v): [func(inputs), vᵀ·J]. */
export function vjp(func: Fn, inputs: Tensors, v?: Tensors | null, options: FunctionalOptions = {}): [Tensors, Tensors] {
  const createGraph = options.createGraph ?? false;
  const strict = options.strict ?? false;
  const { isInputsTuple, ins, isOutputsTuple, outputs, vs } = withGradMode(true, () => {
    const [isInputsTuple, raw] = asTuple(inputs, "inputs", "vjp");
    const ins = gradPreprocess(raw, createGraph, true);
    const [isOutputsTuple, outputs] = asTuple(func(...ins), "outputs of the user-provided function", "vjp");
    checkRequiresGrad(outputs, "outputs", strict);
    const vs = prepareV(v, outputs, isOutputsTuple, "vjp", createGraph, "The vector v can only be None if the user-provided function returns a single Tensor with a single element.");
    return { isInputsTuple, ins, isOutputsTuple, outputs, vs };
  });
  const result = withGradMode(createGraph || isGradEnabled(), () => fillInZeros(autogradGrad(outputs, ins, vs, createGraph), ins, strict, createGraph, "back"));
  return [unpack(gradPostprocess(outputs, createGraph), isOutputsTuple), unpack(gradPostprocess(result, createGraph), isInputsTuple)];
}

/** autograd.functional.jvp(func, inputs, v): [func(inputs), J·v], by the double-backward trick. */
export function jvp(func: Fn, inputs: Tensors, v?: Tensors | null, options: FunctionalOptions = {}): [Tensors, Tensors] {
  const createGraph = options.createGraph ?? false;
  const strict = options.strict ?? false;
  const { isOutputsTuple, outputs, vs, gradInputs, gradOutputs } = withGradMode(true, () => {
    const [isInputsTuple, raw] = asTuple(inputs, "inputs", "jvp");
    const ins = gradPreprocess(raw, createGraph, true);
    const vs = prepareV(v, ins, isInputsTuple, "jvp", createGraph, "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.");
    const [isOutputsTuple, outputs] = asTuple(func(...ins), "outputs of the user-provided function", "jvp");
    checkRequiresGrad(outputs, "outputs", strict);
    // The vjp is linear in its vector, so that vector's value never matters: zeros that require grad.
    const gradOutputs = outputs.map((o) => zerosLike(o, true));
    const gradInputs = autogradGrad(outputs, ins, gradOutputs, true);
    checkRequiresGrad(gradInputs, "grad_inputs", strict);
    return { isOutputsTuple, outputs, vs, gradInputs, gradOutputs };
  });
  const result = withGradMode(createGraph || isGradEnabled(), () =>
    fillInZeros(autogradGrad(gradInputs, gradOutputs, vs, createGraph), outputs, strict, createGraph, "back_trick"),
  );
  return [unpack(gradPostprocess(outputs, createGraph), isOutputsTuple), unpack(gradPostprocess(result, createGraph), isOutputsTuple)];
}

export interface JacobianOptions extends FunctionalOptions {
  vectorize?: boolean;
  strategy?: "reverse-mode" | "forward-mode";
}

/** autograd.functional.jacobian(func, inputs): d output_i / d input_j, each of shape output_i.shape + input_j.shape. */
export function jacobian(func: Fn, inputs: Tensors, options: JacobianOptions = {}): Tensor | Tensor[] | Tensor[][] {
  const createGraph = options.createGraph ?? false;
  const strict = options.strict ?? false;
  const strategy = options.strategy ?? "reverse-mode";
  if (strategy !== "reverse-mode" && strategy !== "forward-mode") {
    throw new RuntimeError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use "reverse-mode".');
  }
  if (strategy === "forward-mode") {
    if (createGraph) throw new RuntimeError('torch.autograd.functional.jacobian: `create_graph=True` and `strategy="forward-mode"` are not supported together (yet). Please either set `create_graph=False` or `strategy="reverse-mode"`.');
    if (strict) throw new RuntimeError('torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` are not supported together (yet). Please either set `strict=False` or `strategy="reverse-mode"`.');
    if (!options.vectorize) throw new RuntimeError("Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented for `vectorize=True`.");
  }
  return withGradMode(true, () => {
    const [isInputsTuple, raw] = asTuple(inputs, "inputs", "jacobian");
    const ins = gradPreprocess(raw, createGraph, true);
    const [isOutputsTuple, outputs] = asTuple(func(...ins), "outputs of the user-provided function", "jacobian");
    checkRequiresGrad(outputs, "outputs", strict);
    if (options.vectorize && strict) {
      throw new RuntimeError("torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported together. Please either set `strict=False` or `vectorize=False`.");
    }
    const rows = outputs.map((out, i) => {
      const perInput: Tensor[][] = ins.map(() => []);
      const flat = out.reshape(-1);
      for (let j = 0; j < out.numel(); j++) {
        const vj = autogradGrad([flat.select(0, j)], ins, null, createGraph, true);
        vj.forEach((g, k) => {
          if (g !== null) {
            if (strict && createGraph && !g.requiresGrad) {
              throw new RuntimeError(`The jacobian of the user-provided function is independent of input ${i}. This is not allowed in strict mode when create_graph=True.`);
            }
            perInput[k].push(g);
          } else {
            if (strict) throw new RuntimeError(`Output ${i} of the user-provided function is independent of input ${k}. This is not allowed in strict mode.`);
            perInput[k].push(zerosLike(ins[k]));
          }
        });
      }
      return perInput.map((gs, k) => {
        const shape = [...out.shape, ...ins[k].shape];
        return gs.length ? stack(gs, 0).view(shape) : zerosOf(shape, ins[k].dtype);
      });
    });
    const post = rows.map((r) => gradPostprocess(r, createGraph));
    return unpackNested(post, isOutputsTuple, isInputsTuple);
  });
}

/** PyTorch's _tuple_postprocess with two flags: outer over outputs, inner over inputs. */
function unpackNested(res: Tensor[][], outerTuple: boolean, innerTuple: boolean): Tensor | Tensor[] | Tensor[][] {
  const inner = innerTuple ? res : res.map((r) => r[0]);
  return outerTuple ? (inner as Tensor[] | Tensor[][]) : (inner[0] as Tensor | Tensor[]);
}

export interface HessianOptions extends FunctionalOptions {
  vectorize?: boolean;
  outerJacobianStrategy?: "reverse-mode" | "forward-mode";
}

/** autograd.functional.hessian(func, inputs) of a function with one scalar output: the jacobian of its gradient. */
export function hessian(func: Fn, inputs: Tensors, options: HessianOptions = {}): Tensor | Tensor[][] {
  const strict = options.strict ?? false;
  const [isInputsTuple, ins] = asTuple(inputs, "inputs", "hessian");
  const strategy = options.outerJacobianStrategy ?? "reverse-mode";
  if (strategy !== "reverse-mode" && strategy !== "forward-mode") throw new RuntimeError('Expected strategy to be either "forward-mode" or "reverse-mode".');
  const single = (...inp: Tensor[]): Tensor => {
    const out = func(...inp);
    const [isTuple, outs] = asTuple(out, "outputs of the user-provided function", "hessian");
    checkRequiresGrad(outs, "outputs", strict);
    if (isTuple) throw new RuntimeError("The function given to hessian should return a single Tensor");
    if (outs[0].numel() !== 1) throw new RuntimeError("The Tensor returned by the function given to hessian should contain a single element");
    return outs[0].squeeze();
  };
  const jacFunc = (...inp: Tensor[]): Tensor[] => {
    const jac = jacobian(single, strategy === "forward-mode" ? inp.map((t) => t.requiresGrad_(true)) : inp, { createGraph: true }) as Tensor[];
    checkRequiresGrad(jac, "jacobian", strict);
    return jac;
  };
  const res = jacobian(jacFunc, ins, { createGraph: options.createGraph, strict, vectorize: options.vectorize, strategy }) as Tensor[][];
  return unpackNested(res, isInputsTuple, isInputsTuple) as Tensor | Tensor[][];
}

function singleScalarOutput(outputs: Tensor[], isTuple: boolean, fnName: string): void {
  if (isTuple) throw new RuntimeError(`The function given to ${fnName} should return a single Tensor`);
  if (outputs[0].numel() !== 1) throw new RuntimeError(`The Tensor returned by the function given to ${fnName} should contain a single element`);
}

/** autograd.functional.vhp(func, inputs, v): [func(inputs), vᵀ·H] for a function with one scalar output. */
export function vhp(func: Fn, inputs: Tensors, v?: Tensors | null, options: FunctionalOptions = {}): [Tensor, Tensors] {
  const createGraph = options.createGraph ?? false;
  const strict = options.strict ?? false;
  const { isInputsTuple, ins, outputs, vs, jac } = withGradMode(true, () => {
    const [isInputsTuple, raw] = asTuple(inputs, "inputs", "vhp");
    const ins = gradPreprocess(raw, createGraph, true);
    const vs = prepareV(v, ins, isInputsTuple, "vhp", createGraph, "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.");
    const [isOutputsTuple, outputs] = asTuple(func(...ins), "outputs of the user-provided function", "vhp");
    checkRequiresGrad(outputs, "outputs", strict);
    singleScalarOutput(outputs, isOutputsTuple, "vhp");
    const jac = autogradGrad(outputs, ins, null, true);
    checkRequiresGrad(jac, "jacobian", strict);
    return { isInputsTuple, ins, outputs, vs, jac };
  });
  const result = withGradMode(createGraph || isGradEnabled(), () => fillInZeros(autogradGrad(jac, ins, vs, createGraph), ins, strict, createGraph, "double_back"));
  return [gradPostprocess(outputs, createGraph)[0], unpack(gradPostprocess(result, createGraph), isInputsTuple)];
}

/** autograd.functional.hvp(func, inputs, v): [func(inputs), H·v], by the double-backward trick. */
export function hvp(func: Fn, inputs: Tensors, v?: Tensors | null, options: FunctionalOptions = {}): [Tensor, Tensors] {
  const createGraph = options.createGraph ?? false;
  const strict = options.strict ?? false;
  const { isInputsTuple, ins, outputs, vs, doubleBack, gradJac } = withGradMode(true, () => {
    const [isInputsTuple, raw] = asTuple(inputs, "inputs", "hvp");
    const ins = gradPreprocess(raw, createGraph, true);
    const vs = prepareV(v, ins, isInputsTuple, "hvp", createGraph, "The vector v can only be None if the input to the user-provided function is a single Tensor with a single element.");
    const [isOutputsTuple, outputs] = asTuple(func(...ins), "outputs of the user-provided function", "hvp");
    checkRequiresGrad(outputs, "outputs", strict);
    singleScalarOutput(outputs, isOutputsTuple, "hvp");
    const jac = autogradGrad(outputs, ins, null, true);
    checkRequiresGrad(jac, "jacobian", strict);
    const gradJac = ins.map((t) => zerosLike(t, true));
    const doubleBack = autogradGrad(jac, ins, gradJac, true);
    checkRequiresGrad(jac, "hessian", strict);
    return { isInputsTuple, ins, outputs, vs, doubleBack, gradJac };
  });
  const result = withGradMode(createGraph || isGradEnabled(), () =>
    fillInZeros(autogradGrad(doubleBack, gradJac, vs, createGraph), ins, strict, createGraph, "double_back_trick"),
  );
  return [gradPostprocess(outputs, createGraph)[0], unpack(gradPostprocess(result, createGraph), isInputsTuple)];
}
