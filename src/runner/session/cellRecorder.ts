/**
 * The recorder of one cell's run. A cell works on tensors that earlier cells made: when one of them feeds an op of
 * this cell, or a backward() of this cell starts from it, it joins this cell's Trace under the variable that holds it
 * (with no line: it was made elsewhere), so the cell's graph shows `x`, its value and its `.grad` rather than a box
 * saying "not kept".
 */
import { GradFn } from "../../engine/autograd/node";
import type { Tensor } from "../../engine/tensor";
import { type RecorderOptions, TraceRecorder, type RecordedParts } from "../recorder";

/** Most tensors of an earlier cell's graph one backward() brings into this cell's Trace. */
const ADOPT_LIMIT = 500;

export class CellRecorder extends TraceRecorder {
  private readonly made = new WeakSet<Tensor>();
  private readonly adopted = new WeakSet<Tensor>();

  constructor(
    options: RecorderOptions,
    /** The variable an earlier cell left a value in. */
    private readonly nameOf: (value: unknown) => string | null,
  ) {
    super(options);
  }

  override onTensor(t: Tensor): void {
    this.made.add(t);
    if (t.gradFn) for (const input of t.gradFn.inputs) this.adopt(input);
    super.onTensor(t);
  }

  override onBackwardStart(root?: Tensor): void {
    // The graph a backward() walks may be an earlier cell's: bring its tensors in before the recorder notes the run.
    const queue: Tensor[] = root ? [root] : [];
    const seen = new Set<Tensor>();
    while (queue.length && seen.size < ADOPT_LIMIT) {
      const t = queue.shift()!;
      if (seen.has(t)) continue;
      seen.add(t);
      this.adopt(t);
      if (t.gradFn instanceof GradFn) queue.push(...t.gradFn.inputs);
    }
    super.onBackwardStart();
  }

  /** A value the cell ended with (`Out[n]`), named by the expression that made it. */
  bindValue(value: unknown, name: string | null): void {
    this.bind(value, name, this.line, 1);
  }

  override finish(): RecordedParts {
    const parts = super.finish();
    // Tensors from earlier cells were bound at line 0: they have no line in this cell.
    for (const t of parts.tensors) if (t.at?.line === 0) t.at = null;
    return parts;
  }

  private adopt(t: Tensor): void {
    if (this.made.has(t) || this.adopted.has(t)) return;
    const name = this.nameOf(t);
    // A constant the engine made for an op (the 2 of x.add(2)) is not part of the graph the user looks at.
    if (!name && !t.requiresGrad && !t.gradFn) return;
    this.adopted.add(t);
    this.bind(t, name, 0, 1);
  }
}
