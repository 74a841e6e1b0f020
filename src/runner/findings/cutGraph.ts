/**
 * A leaf that requires grad, was used in a forward pass and got no gradient from any backward after: where was its path
 * to the loss cut? Every cut of a tensor that requires grad is noted (detach, .data, item, tolist, an op under noGrad)
 * with its line; at the end, a cut whose graph reaches the leaf names the line and the way.
 */
import { AccumulateGrad, GradFn, type Node } from "../../engine/autograd/node";
import type { Tensor } from "../../engine/tensor";
import type { Finding } from "../trace";
import { finding, list, type Names } from "./context";

export type CutHow = "detach" | "detach_" | "data" | "item" | "tolist" | "noGrad";

interface Cut {
  how: CutHow;
  line: number;
  /** The graphs the values were cut from (nodes, or leaves themselves): one line may cut several (an op under noGrad
   * reads a weight and a bias); a line in a loop keeps its latest. */
  from: Array<Node | Tensor>;
}

const SOURCES_PER_CUT = 16;

/** Leaves tracked at most (a loop that makes a fresh leaf each iteration stops adding past it). */
const MAX_LEAVES = 2000;
/** Nodes searched at most per cut when looking for a leaf. */
const MAX_SEARCH = 50_000;

const HOW: Record<CutHow, { by: string; fix: string }> = {
  detach: { by: ".detach()", fix: "Remove .detach() where the value must stay in the graph; detach only what should not be trained." },
  detach_: { by: ".detach_()", fix: "Remove .detach_() where the value must stay in the graph; detach only what should not be trained." },
  data: { by: ".data, which gives the values without their graph", fix: "Use the tensor itself, not .data, in the computation of the loss." },
  item: { by: ".item(), which turns the tensor into a plain number (a tensor built from numbers with tensor(...) starts a new graph)", fix: "Keep the computation in tensor ops (x.sum(), x.mul(y)) and call .item() only to print." },
  tolist: { by: ".tolist(), which turns the tensor into plain numbers (a tensor built from them with tensor(...) starts a new graph)", fix: "Keep the computation in tensor ops; build no tensor from numbers taken out of one." },
  noGrad: { by: "noGrad(), under which the op there recorded no graph", fix: "Run the forward pass outside noGrad(); keep noGrad() for evaluation and for updating weights by hand." },
};

export class CutGraphWatch {
  private readonly cuts = new Map<string, Cut>();
  private readonly used = new Map<Tensor, number>();
  private readonly reached = new WeakSet<Tensor>();
  private attempts = 0;

  cut(source: Tensor, how: CutHow, line: number): void {
    if (!source.requiresGrad) return;
    const key = `${line}:${how}`;
    let cut = this.cuts.get(key);
    if (!cut) this.cuts.set(key, (cut = { how, line, from: [] }));
    const from = source._gradFn ?? source;
    if (cut.from.includes(from)) return;
    cut.from.push(from);
    if (cut.from.length > SOURCES_PER_CUT) cut.from.shift();
  }

  /** A leaf that requires grad was an input of an op. */
  usedLeaf(leaf: Tensor): void {
    if (this.used.has(leaf) || this.reached.has(leaf) || this.used.size >= MAX_LEAVES) return;
    this.used.set(leaf, this.attempts);
  }

  backwardStarted(): void {
    this.attempts++;
  }

  leafReached(leaf: Tensor): void {
    this.reached.add(leaf);
    this.used.delete(leaf);
  }

  /** `trained`: the tensors some optimizer updates, or null when the run has no optimizer. With one, a tensor it does
   * not update is not meant to learn (a frozen teacher network whose output is detached on purpose). */
  findings(names: Names, trained: ReadonlySet<Tensor> | null): Finding[] {
    const byCut = new Map<Cut, Tensor[]>();
    for (const [leaf, attemptsBefore] of this.used) {
      // Only a backward after its use could have given it a gradient.
      if (this.attempts <= attemptsBefore || this.reached.has(leaf)) continue;
      if (trained && !trained.has(leaf)) continue;
      const cut = this.cutReaching(leaf);
      if (!cut) continue;
      const leaves = byCut.get(cut);
      if (leaves) leaves.push(leaf);
      else byCut.set(cut, [leaf]);
    }
    const out: Finding[] = [];
    for (const [cut, leaves] of byCut) {
      const named = leaves.map((l) => names.tensor(l));
      const { by, fix } = HOW[cut.how];
      const subject = named.length === 1 ? `${named[0].name} got` : `${list(named.map((n) => n.name))} got`;
      out.push(finding("cut-graph", "warning", cut.line, `${subject} no gradient from backward(): the path to the loss is cut at line ${cut.line} by ${by}.`, fix, {
        tensors: named.flatMap((n) => (n.id === null ? [] : [n.id])),
      }));
    }
    return out;
  }

  /** The latest cut (by line) whose graph leads to the leaf. */
  private cutReaching(leaf: Tensor): Cut | null {
    let best: Cut | null = null;
    for (const cut of this.cuts.values()) {
      if (best && cut.line < best.line) continue;
      if (cut.from.some((from) => from === leaf || (from instanceof GradFn && reaches(from, leaf)))) best = cut;
    }
    return best;
  }
}

function reaches(start: GradFn, leaf: Tensor): boolean {
  const target = leaf._accumulator;
  if (!target) return false;
  const seen = new Set<Node>([start]);
  const stack: Node[] = [start];
  while (stack.length && seen.size < MAX_SEARCH) {
    const n = stack.pop()!;
    if (n === target) return true;
    if (n instanceof AccumulateGrad) continue;
    for (const next of (n as GradFn).next) {
      if (next && !seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  return false;
}
