/**
 * The backward pass: the one place that walks the graph. It counts, for every node reachable from the roots, how many
 * edges lead into it; then runs nodes as their counts reach zero, the most recently created first (PyTorch's order,
 * which fixes the order gradients are summed in and so their last bits).
 */
import { allocate, isFloating } from "../dtype";
import { RuntimeError } from "../errors";
import { sumTo } from "../ops/views";
import { emptyLike } from "../ops/copy";
import { writeValues } from "../ops/write";
import { type Recorder, recorder, unrecorded } from "../recorder";
import { formatShape, sameShape } from "../shape";
import { type BackwardOptions, Tensor } from "../tensor";
import { withGradMode } from "./grad_mode";
import { AccumulateGrad, FREED_GRAPH, GradFn, type Node, edgeTo, savedTensors } from "./node";
import { NodeHeap } from "./node_heap";
import { anomaly, checkForNaN } from "./anomaly";

interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** autograd.grad: return these tensors' gradients instead of accumulating into `.grad`. */
  capture: readonly Tensor[] | null;
  /** backward(inputs=...): accumulate only into these leaves. */
  onlyInto: ReadonlySet<Tensor> | null;
}

/** `tensor.backward()` and `autograd.backward()`. */
export function backward(roots: Tensor[], grads: Array<Tensor | null> | null, options: BackwardOptions): void {
  const createGraph = options.createGraph ?? false;
  recorder.current?.onBackwardStart?.(roots[0]);
  const reached = run(roots, rootGradients(roots, grads, createGraph), {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    capture: null,
    onlyInto: options.inputs ? new Set(options.inputs) : null,
  });
  if (recorder.current) recorder.current.onBackward(roots[0], reached.leaves, true, grads?.[0] ?? null);
}

export interface GradOptions {
  gradOutputs?: Array<Tensor | null> | Tensor | null;
  retainGraph?: boolean;
  createGraph?: boolean;
  allowUnused?: boolean;
}

/** `autograd.grad(outputs, inputs)`: the gradients of outputs with respect to inputs, leaving `.grad` alone. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor | Tensor[], options: GradOptions = {}): Array<Tensor | null> {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const createGraph = options.createGraph ?? false;
  const gradOutputs = options.gradOutputs === undefined || options.gradOutputs === null ? null : Array.isArray(options.gradOutputs) ? options.gradOutputs : [options.gradOutputs];
  for (const t of ins) {
    if (!t.requiresGrad) throw new RuntimeError("One of the differentiated Tensors does not require grad");
  }
  const { captured } = run(outs, rootGradients(outs, gradOutputs, createGraph), {
    retainGraph: options.retainGraph ?? createGraph,
    createGraph,
    capture: ins,
    onlyInto: null,
  });
  const result = ins.map((t) => captured.get(t) ?? null);
  if (!options.allowUnused && result.some((g) => g === null)) {
    throw new RuntimeError("One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.");
  }
  if (recorder.current) recorder.current.onBackward(outs[0], [], false, gradOutputs?.[0] ?? null);
  return result;
}

function rootGradients(roots: Tensor[], grads: Array<Tensor | null> | null, createGraph: boolean): Tensor[] {
  if (grads && grads.length !== roots.length) {
    throw new RuntimeError(`grad can be implicitly created only for scalar outputs (got ${grads.length} gradients for ${roots.length} outputs)`);
  }
  return roots.map((root, i) => {
    if (!root.requiresGrad) throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
    const given = grads?.[i] ?? null;
    if (given === null) {
      if (root.numel() !== 1) throw new RuntimeError("grad can be implicitly created only for scalar outputs");
      return onesLike(root);
    }
    if (!sameShape(given.shape, root.shape)) {
      throw new RuntimeError(`Mismatch in shape: grad_output[${i}] has a shape of torch.Size(${formatShape(given.shape)}) and output[${i}] has a shape of torch.Size(${formatShape(root.shape)}).`);
    }
    if (!isFloating(given.dtype)) throw new RuntimeError(`For floating-point output ${i}, the gradient must be floating-point too, got ${given.dtype}`);
    return createGraph ? given : given.detach();
  });
}

/** Adds `g` into `t`'s own storage (a `.grad` that code outside may hold on to, so it must not be replaced). */
function addInto(t: Tensor, g: Tensor): void {
  const d = t._data;
  const s = g._data;
  for (let i = 0; i < d.length; i++) d[i] += s[i];
  if (!t._contiguous) writeValues(t, d);
  t._bumpVersion();
}

function copyWithLayoutOf(g: Tensor, like: Tensor): Tensor {
  const out = emptyLike(like, g.dtype);
  writeValues(out, g._data);
  return out;
}

function onesLike(t: Tensor): Tensor {
  const ones = Tensor.fromData(allocate(t.dtype, t.numel()), t.shape.slice(), t.dtype);
  ones._data.fill(1);
  return ones;
}

interface RunResult {
  leaves: Tensor[];
  captured: Map<Tensor, Tensor>;
}

function run(roots: Tensor[], rootGrads: Tensor[], options: RunOptions): RunResult {
  // Gradients are the engine's own work: the recorder learns of them through onBackward and onNodeGradient only.
  const watch = recorder.current?.onNodeGradient ? recorder.current : null;
  return unrecorded(() => withGradMode(options.createGraph, () => walk(roots, rootGrads, options, watch)));
}

let walkCount = 0;

function walk(roots: Tensor[], rootGrads: Tensor[], options: RunOptions, watch: Recorder | null): RunResult {
  const walkId = ++walkCount;
  const startNodes: Node[] = [];
  roots.forEach((root) => startNodes.push(edgeTo(root)!));
  countDependencies(startNodes, walkId);
  roots.forEach((root, i) => addGrad(startNodes[i], rootGrads[i], root._outputNr));
  const captureSet = options.capture ? new Set(options.capture) : null;
  const captured = new Map<Tensor, Tensor>();
  const leaves: Tensor[] = [];
  const ready = new NodeHeap();
  for (const node of new Set(startNodes)) if (node._dependencies === 0) ready.push(node);

  while (ready.size) {
    const node = ready.pop()!;
    const first = node._pending;
    const more = node._pendingMore;
    node._pending = null;
    node._pendingMore = null;

    if (node instanceof AccumulateGrad) {
      let g = first;
      const leaf = node.variable;
      if (g) g = runHooks(leaf, g);
      if (g && watch) watch.onNodeGradient!(node, g, null, leaf);
      if (g && captureSet) {
        if (captureSet.has(leaf)) captured.set(leaf, g);
      } else if (g && (!options.onlyInto || options.onlyInto.has(leaf))) {
        accumulate(leaf, g, options.createGraph);
        leaves.push(leaf);
      }
      continue;
    }

    const fn = node as GradFn;
    const grads: Array<Tensor | null> = more === null ? [first] : [first, ...more];
    const outputs = more === null ? null : fn.outputs;
    let reached = false;
    for (let k = 0; k < grads.length; k++) {
      let g = grads[k];
      if (!g) continue;
      reached = true;
      const output = outputs === null ? fn.output : outputs[k];
      g = grads[k] = runHooks(output, g);
      if (output._retainsGrad) accumulate(output, g, options.createGraph);
      if (captureSet?.has(output)) captured.set(output, g);
    }
    const inputGrads = reached ? callBackward(fn, grads) : null;
    if (watch && reached) grads.forEach((g, k) => g && watch.onNodeGradient!(fn, g, inputGrads, outputs === null ? fn.output : outputs[k]));
    const next = fn.next;
    for (let i = 0; i < next.length; i++) {
      const target = next[i];
      if (!target) continue;
      const ig = inputGrads?.[i];
      if (ig) addGrad(target, fitToInput(ig, fn.inputs[i], fn, i), fn.inputs[i]._outputNr);
      if (--target._dependencies === 0) ready.push(target);
    }
    if (!options.retainGraph) fn.released = true;
  }
  return { leaves, captured };
}

/** Counts, for each node reachable from the roots, the edges into it (an explicit stack: graphs can be 100,000 deep). */
function countDependencies(starts: Node[], walkId: number): void {
  const stack: Node[] = [];
  for (const node of starts) {
    if (node._walk === walkId) continue;
    node._walk = walkId;
    node._dependencies = 0;
    node._pending = null;
    node._pendingMore = null;
    stack.push(node);
  }
  while (stack.length) {
    const node = stack.pop()!;
    if (!(node instanceof GradFn)) continue;
    for (const next of node.next) {
      if (!next) continue;
      if (next._walk !== walkId) {
        next._walk = walkId;
        next._dependencies = 0;
        next._pending = null;
        next._pendingMore = null;
        stack.push(next);
      }
      next._dependencies++;
    }
  }
}

function addGrad(node: Node, g: Tensor, outputNr: number): void {
  if (outputNr === 0) {
    const existing = node._pending;
    node._pending = existing ? existing.add(g) : g;
    return;
  }
  const more = (node._pendingMore ??= []);
  while (more.length < outputNr) more.push(null);
  const existing = more[outputNr - 1];
  more[outputNr - 1] = existing ? existing.add(g) : g;
}

function callBackward(fn: GradFn, grads: Array<Tensor | null>): Array<Tensor | null> {
  checkSaved(fn);
  const needsInputGrad = fn.next.map((n) => n !== null);
  const op = fn.op;
  let inputGrads: Array<Tensor | null>;
  if (op.multiOutput) {
    const all = fn.outputs.map((_, k) => grads[k] ?? null);
    inputGrads = op.backward({ inputs: fn.inputs, output: fn.output, outputs: fn.outputs, attrs: fn.attrs, needsInputGrad }, all);
  } else {
    inputGrads = op.backward({ inputs: fn.inputs, output: fn.output, attrs: fn.attrs, needsInputGrad }, grads[0]!);
  }
  if (anomaly.enabled) checkForNaN(fn, inputGrads);
  return inputGrads;
}

/** Refuses a freed graph, and saved values changed in place since the op ran (PyTorch's two classic errors). */
export function checkSaved(fn: GradFn): void {
  const saved = savedTensors(fn);
  if (!saved) return;
  if (fn.released) {
    throw new RuntimeError(FREED_GRAPH);
  }
  const inputsSaved = fn.savedInputs.length;
  saved.forEach((t, i) => {
    const expected = fn.savedVersions![i];
    const actual = t._storage.version;
    if (actual === expected) return;
    // PyTorch names the node a saved output came from; for a saved input, the grad_fn the tensor has now.
    const origin = i >= inputsSaved ? fn.name : t.gradFn?.name;
    const which = origin ? `, which is output ${t._outputNr} of ${origin},` : "";
    throw new RuntimeError(
      `one of the variables needed for gradient computation has been modified by an inplace operation: ` +
        `${t._describe()}${which} is at version ${actual}; expected version ${expected} instead. Hint: enable anomaly ` +
        `detection to find the operation that failed to compute its gradient, with autograd.detectAnomaly(...).`,
    );
  });
}

/** Sums a broadcast gradient down to the input's shape and gives it the input's dtype. */
function fitToInput(g: Tensor, input: Tensor, fn: GradFn, index: number): Tensor {
  let fitted = g;
  if (!sameShape(g.shape, input.shape)) {
    // A gradient of another shape must be one the input broadcasts to (PyTorch's validate_outputs) or a reshape of
    // it; anything else is refused before summing could misread it.
    if (expandsTo(input.shape, g.shape) || g.numel() === input.numel()) fitted = sumTo(g, input.shape);
    if (!sameShape(fitted.shape, input.shape)) {
      throw new RuntimeError(`Function ${fn.name} returned an invalid gradient at index ${index} - got ${formatShape(g.shape)} but expected shape compatible with ${formatShape(input.shape)}`);
    }
  }
  if (fitted.dtype !== input.dtype && isFloating(input.dtype)) fitted = fitted.to(input.dtype);
  return fitted;
}

function expandsTo(shape: readonly number[], target: readonly number[]): boolean {
  const lead = target.length - shape.length;
  return lead >= 0 && shape.every((d, i) => d === 1 || d === target[i + lead]);
}

function runHooks(t: Tensor, g: Tensor): Tensor {
  if (!t._hooks) return g;
  for (const hook of t._hooks.slice()) {
    const replaced = hook(g);
    if (replaced !== undefined && replaced !== null) g = replaced;
  }
  return g;
}

/** Adds into `.grad`: in place when no graph of the gradient is wanted (so `const g = x.grad` sees later sums, as in
 * PyTorch), as a new tensor in the graph otherwise. */
function accumulate(t: Tensor, g: Tensor, createGraph: boolean): void {
  const current = t._grad;
  if (current === null) {
    // A fresh .grad takes its variable's layout (PyTorch's clone_obey_contract): a transposed view's gradient arrives
    // transposed, and code that holds on to .grad expects the parameter's row-major order.
    t._grad = createGraph ? g : copyWithLayoutOf(g, t);
  } else if (createGraph || current.requiresGrad) {
    t._grad = current.add(g);
  } else {
    addInto(current, g);
  }
}

declare module "../tensor" {
  interface Tensor {
    /** Computes the gradient of this tensor with respect to the leaves of its graph, into their `.grad`. */
    backward(gradient?: Tensor | null, options?: BackwardOptions): void;
  }
}

Tensor.prototype.backward = function (this: Tensor, gradient?: Tensor | null, options: BackwardOptions = {}): void {
  backward([this], gradient ? [gradient] : null, options);
};
