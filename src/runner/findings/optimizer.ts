/**
 * How the training loop drives the optimizer: a `.grad` the optimizer already used that the next backward adds to
 * (no zeroGrad between), a step with no fresh gradient to take, an optimizer over tensors no backward reaches, and a
 * parameter that never changes.
 */
import type { Tensor } from "../../engine/tensor";
import { anyNonZero } from "../stats";
import type { Finding } from "../trace";
import { finding, list, type Names, plural } from "./context";

interface OptimizerState {
  params: readonly Tensor[];
  /** Where it was made (the variable's line), or its first step. */
  line: number;
  steps: number;
  /** Parameters that had a non-zero gradient at some step. */
  withGrad: Set<Tensor>;
  /** Each parameter's values at its first step. */
  initial: Map<Tensor, ArrayLike<number>>;
}

export class OptimizerWatch {
  private readonly optimizers = new Map<object, OptimizerState>();
  /** Parameters whose non-zero gradient a step used since the last backward: that .grad and its version then. */
  private stepped = new Map<Tensor, { grad: Tensor; version: number }>();
  private backwards = 0;
  /** Leaves some backward reached, and the version of their .grad right after the latest one did. */
  private readonly reached = new WeakMap<Tensor, number>();
  private accumulated: { line: number; params: Set<Tensor> } | null = null;
  /** Stepped parameters whose .grad nothing reset before the current backward started, and that backward's line. */
  private readonly unreset = new Set<Tensor>();
  private backwardLine = 0;
  private stepWithoutGrad: { line: number; zeroed: boolean } | null = null;

  /** Where each optimizer was made, from the variable it was assigned to. */
  madeAt(optimizer: object, params: readonly Tensor[], line: number): void {
    if (!this.optimizers.has(optimizer)) this.state(optimizer, params, line);
  }

  stepStarted(optimizer: object, params: readonly Tensor[], line: number): void {
    const state = this.state(optimizer, params, line);
    state.steps++;
    if (state.steps === 1) for (const p of state.params) state.initial.set(p, p._data.slice());
    let fresh = false;
    let reachedBefore = false;
    let zeroed = false;
    for (const p of state.params) {
      const g = p._grad;
      const version = this.reached.get(p);
      if (version !== undefined) reachedBefore = true;
      if (!g) continue;
      const nonZero = anyNonZero(g._data);
      // Fresh: the .grad a backward left, unchanged since, or changed but not to zeros (clipped or scaled in place);
      // zeroGrad writes zeros and bumps its version.
      if (version === g._storage.version || nonZero) fresh = true;
      else zeroed = true;
      if (nonZero) {
        state.withGrad.add(p);
        this.stepped.set(p, { grad: g, version: g._storage.version });
      }
    }
    if (!fresh && (this.backwards === 0 || reachedBefore)) this.stepWithoutGrad ??= { line, zeroed };
  }

  backwardStarted(line: number): void {
    this.backwards++;
    this.backwardLine = line;
    this.unreset.clear();
    for (const [p, used] of this.stepped) {
      // The same .grad, not written since the step (zeroGrad and grad.zero_() bump its version; set-to-none drops it).
      if (p._grad === used.grad && p._grad._storage.version === used.version) this.unreset.add(p);
    }
  }

  backwardEnded(leaves: readonly Tensor[]): void {
    for (const leaf of leaves) {
      this.reached.set(leaf, leaf._grad ? leaf._grad._storage.version : -1);
      if (!this.stepped.has(leaf)) continue;
      // This backward added to a .grad a step had already used: accumulation across iterations. (A backward of another
      // graph, which never reaches the parameter, says nothing.)
      if (this.unreset.has(leaf)) {
        this.accumulated ??= { line: this.backwardLine, params: new Set() };
        if (this.accumulated.line === this.backwardLine) this.accumulated.params.add(leaf);
      }
      this.stepped.delete(leaf);
    }
  }

  /** Every tensor an optimizer updates; null when the run made none. */
  trained(): Set<Tensor> | null {
    if (!this.optimizers.size) return null;
    return new Set([...this.optimizers.values()].flatMap((s) => s.params));
  }

  findings(names: Names): Finding[] {
    const out: Finding[] = [];
    const name = (t: Tensor) => names.tensor(t);
    const ids = (ts: Iterable<Tensor>) => [...ts].flatMap((t) => {
      const id = name(t).id;
      return id === null ? [] : [id];
    });
    if (this.accumulated) {
      const { line } = this.accumulated;
      // In the optimizer's order (the model's), not the order the backward reached them.
      const order = new Map<Tensor, number>();
      for (const state of this.optimizers.values()) for (const p of state.params) if (!order.has(p)) order.set(p, order.size);
      const params = [...this.accumulated.params].sort((x, y) => (order.get(x) ?? 0) - (order.get(y) ?? 0));
      out.push(finding("missing-zero-grad", "warning", line,
        `The gradients of ${list([...params].map((p) => name(p).name))} grow from one iteration to the next: backward() at line ${line} adds to the .grad the optimizer already stepped with, and no zeroGrad() came in between.`,
        "Call optimizer.zeroGrad() at the start of each iteration, before loss.backward().", { tensors: ids(params) }));
    }
    if (this.stepWithoutGrad) {
      const { line, zeroed } = this.stepWithoutGrad;
      out.push(finding("step-before-backward", "warning", line,
        `optimizer.step() at line ${line} ran before backward() had given the parameters a gradient (${zeroed ? "they had just been zeroed" : "they had none yet"}), so it changed nothing.`,
        "Order each iteration as zeroGrad(), forward, loss.backward(), then optimizer.step()."));
    }
    for (const state of this.optimizers.values()) {
      if (!state.steps) continue;
      const never = state.params.filter((p) => !this.reached.has(p));
      if (never.length && this.backwards > 0) {
        out.push(finding("optimizer-without-grad", "warning", state.line,
          `The optimizer made at line ${state.line} updates ${list(never.map((p) => name(p).name))}, which no backward() reached in ${plural(state.steps, "step")}: ${never.length === 1 ? "it is" : "they are"} not used to compute the loss.`,
          "Give the optimizer the parameters of the model you train (optim.SGD(model.parameters(), …)), or use those tensors in the loss.", { tensors: ids(never) }));
      }
      if (state.steps < 2) continue;
      const unchanged = state.params.filter((p) => state.withGrad.has(p) && sameValues(p._data, state.initial.get(p)));
      if (unchanged.length) {
        out.push(finding("parameter-unchanged", "warning", state.line,
          `${list(unchanged.map((p) => name(p).name))} never changed in ${plural(state.steps, "optimizer step")} although ${unchanged.length === 1 ? "it" : "they"} had a gradient.`,
          "Check the learning rate (lr: 0 changes nothing) and that the gradient is not vanishingly small next to the weights.", { tensors: ids(unchanged) }));
      }
    }
    return out;
  }

  private state(optimizer: object, params: readonly Tensor[], line: number): OptimizerState {
    let state = this.optimizers.get(optimizer);
    if (!state) {
      this.optimizers.set(optimizer, (state = { params, line, steps: 0, withGrad: new Set(), initial: new Map() }));
    }
    return state;
  }
}

function sameValues(now: ArrayLike<number>, then: ArrayLike<number> | undefined): boolean {
  if (!then || then.length !== now.length) return false;
  for (let i = 0; i < then.length; i++) if (now[i] !== then[i] && !(Number.isNaN(now[i]) && Number.isNaN(then[i]))) return false;
  return true;
}
