/**
 * What a cell's recorder sees of tensors that earlier cells made. When one of them feeds an op of this cell, or a
 * backward() of this cell starts from it, it joins this cell's Trace under the variable that holds it, with no line
 * (it was made elsewhere: the host clears the line-0 location it is bound at), so the cell's graph shows `x`, its
 * value and its `.grad` rather than a box saying "not kept". A wrapper around the run's recorder, in front of the
 * engine: the recorder itself is the one every run uses.
 */
import { GradFn } from "../../engine/autograd/node";
import type { Recorder } from "../../engine/recorder";
import type { Tensor } from "../../engine/tensor";
import type { TraceRecorder } from "../recorder";

/** Most tensors of an earlier cell's graph one backward() brings into this cell's Trace. */
const ADOPT_LIMIT = 500;

export function adoptingRecorder(recorder: TraceRecorder, nameOf: (value: unknown) => string | null): Recorder {
  const made = new WeakSet<Tensor>();
  const adopted = new WeakSet<Tensor>();
  const adopt = (t: Tensor) => {
    if (made.has(t) || adopted.has(t)) return;
    const name = nameOf(t);
    // A constant the engine made for an op (the 2 of x.add(2)) is not part of the graph the user looks at.
    if (!name && !t.requiresGrad && !t.gradFn) return;
    adopted.add(t);
    recorder.bind(t, name, 0, 1);
  };
  return {
    onTensor(t, op, inputs, attrs) {
      made.add(t);
      if (t.gradFn) for (const input of t.gradFn.inputs) adopt(input);
      recorder.onTensor(t, op, inputs, attrs);
    },
    onModified() {
      recorder.onModified();
    },
    onBackwardStart(root) {
      // The graph a backward() walks may be an earlier cell's: its tensors come in before the recorder notes the run.
      const queue: Tensor[] = [root];
      const seen = new Set<Tensor>();
      while (queue.length && seen.size < ADOPT_LIMIT) {
        const t = queue.shift()!;
        if (seen.has(t)) continue;
        seen.add(t);
        adopt(t);
        if (t.gradFn instanceof GradFn) queue.push(...t.gradFn.inputs);
      }
      recorder.onBackwardStart(root);
    },
    // Every node's gradient, cuts, optimizer steps and module calls go to the recorder as they are.
    onNodeGradient: (node, g, inputGrads, output) => recorder.onNodeGradient(node, g, inputGrads, output),
    onCut: (source, how) => recorder.onCut(source, how),
    onOptimizerStep: (optimizer, params, done) => recorder.onOptimizerStep(optimizer, params, done),
    onModuleCall: (module, inputs) => recorder.onModuleCall(module, inputs),
    onBackward(root, leaves, accumulated, gradient) {
      recorder.onBackward(root, leaves, accumulated, gradient);
    },
    onWarning(message) {
      recorder.onWarning(message);
    },
  };
}
