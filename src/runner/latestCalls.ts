/**
 * The latest backward call of each line, held for a check after the snippet has finished. A training loop spends
 * the check budget on its first calls, and its last call — the gradients a user looks at — would stay unchecked; so
 * part of the budget is kept back, and when the calls in between go unchecked the latest one of each line keeps what
 * a check needs: its graph, the gradients it gave, and the values its leaves had (optimizer.step() changes them in
 * place afterwards). At the end the leaves get those values back for the check, then their own again.
 */
import type { DataArray } from "../engine/dtype";
import { writeValues } from "../engine/ops/write";
import type { Tensor } from "../engine/tensor";
import type { GradFn } from "../engine/autograd/node";

/** What a check of one backward call needs. */
export interface HeldCall<R> {
  record: R;
  root: Tensor;
  gradient: Tensor | null;
  /** The gradient each leaf got from this call (float64). */
  contributions: Map<Tensor, Tensor>;
}

interface Held<R> extends HeldCall<R> {
  values: Map<Tensor, DataArray>;
  /** Every tensor the graph reads that is not an output of its nodes, with its version then. */
  versions: Map<Tensor, number>;
}

/** Leaves of more elements than this in all are not copied at each backward (4M: 16 MB of float32). */
const HELD_VALUES_LIMIT = 1 << 22;

/** The share of the check budget kept for the latest calls. */
export const LATEST_CALLS_SHARE = 0.25;

export class LatestCalls<R> {
  private readonly held = new Map<number, Held<R>>();

  /** Keeps `call` as the latest unchecked call of `line`, replacing the one before; not when its leaves are too big
   * to copy at every backward (the copy would cost the loop more than the check is worth). */
  hold(line: number, call: HeldCall<R>): void {
    let elements = 0;
    for (const leaf of call.contributions.keys()) elements += leaf.numel();
    if (elements > HELD_VALUES_LIMIT) {
      this.held.delete(line);
      return;
    }
    const values = new Map<Tensor, DataArray>();
    for (const leaf of call.contributions.keys()) values.set(leaf, leaf._data.slice());
    this.held.set(line, { ...call, values, versions: inputsOf(call.root) });
  }

  get size(): number {
    return this.held.size;
  }

  /**
   * Runs `check` on each held call with its leaves' values as they were then, and restores them; a call whose graph
   * read a tensor that has changed in place since (other than its leaves) is not checked: `unchanged` false.
   */
  checkAll(check: (call: HeldCall<R>, unchanged: boolean) => void): void {
    for (const call of this.held.values()) {
      const changed = [...call.versions].some(([t, v]) => t._storage.version !== v && !call.values.has(t));
      const now = new Map([...call.values.keys()].map((leaf) => [leaf, leaf._data.slice()] as const));
      try {
        for (const [leaf, then] of call.values) writeValues(leaf, then);
        check(call, !changed);
      } finally {
        for (const [leaf, values] of now) writeValues(leaf, values);
      }
    }
    this.held.clear();
  }
}

/** The tensors a graph reads that no node of it made (parameters, data, constants), with their versions. */
function inputsOf(root: Tensor): Map<Tensor, number> {
  const versions = new Map<Tensor, number>();
  const seen = new Set<GradFn>();
  const stack: GradFn[] = [];
  const visit = (t: Tensor) => {
    const fn = t._gradFn;
    if (!fn) versions.set(t, t._storage.version);
    else if (!seen.has(fn)) {
      seen.add(fn);
      stack.push(fn);
    }
  };
  visit(root);
  while (stack.length) for (const input of stack.pop()!.inputs) visit(input);
  return versions;
}
