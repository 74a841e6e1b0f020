/**
 * Which tensors a run keeps, by the source line that made them: those of the line's first execution and of its
 * latest three (a loop's middle iterations go, and with them their graphs, to the GC), at most TENSORS_PER_VISIT
 * from one execution, and a model's parameters always.
 */
import type { Tensor } from "../engine/tensor";
import type { SourceLocation } from "./trace";

/** The executions of a line whose tensors are kept: its first and its latest three. */
export const HISTORY_PER_LINE = 4;
/** Most tensors kept from one execution of a line (a forward pass written on one line makes several). */
const TENSORS_PER_VISIT = 32;

export interface Entry {
  /** The TensorRecord id: tensors are numbered in the order the snippet made them. */
  id: number;
  tensor: Tensor;
  name: string | null;
  at: SourceLocation | null;
  /** How many tensors its line had made, this one included. */
  occurrence: number;
  /** Which execution of its line made it (1 = the first; 0 = made before any statement of that line ran). */
  visit: number;
  /** A module's parameter: kept for the whole run. */
  pinned?: boolean;
  /** The gradient that reached it in the latest backward through it (kept here, not in a weak map: a weak map's
   * entries for every op's output cost the garbage collector more than the whole recording). */
  backwardGrad?: Tensor;
  /** The module (ModuleRecord id) whose call made it. */
  module?: number;
}

export class LineHistory {
  private nextId = 1;
  private readonly entries = new Map<Tensor, Entry>();
  private readonly byLine = new Map<number, Entry[]>();
  private readonly occurrences = new Map<number, number>();
  private readonly visits = new Map<number, number>();
  /** How many tensors were let go. */
  dropped = 0;

  /** A statement at `line` starts: a new execution of the line (returning to it from a call is not one). */
  enter(line: number): void {
    this.visits.set(line, (this.visits.get(line) ?? 0) + 1);
  }

  get(t: Tensor): Entry | undefined {
    return this.entries.get(t);
  }

  /** Notes a tensor made at `line` (once), and lets go of what that line no longer keeps. */
  add(t: Tensor, line: number): Entry {
    const known = this.entries.get(t);
    if (known) return known;
    const occurrence = (this.occurrences.get(line) ?? 0) + 1;
    this.occurrences.set(line, occurrence);
    const visit = this.visits.get(line) ?? 0;
    // Every field set from the start: entries keep one shape, and the recorder's reads of them stay fast.
    const entry: Entry = { id: this.nextId++, tensor: t, name: null, at: line ? { line, column: 1 } : null, occurrence, visit, pinned: false, backwardGrad: undefined, module: undefined };
    this.entries.set(t, entry);
    let history = this.byLine.get(line);
    if (!history) this.byLine.set(line, (history = []));
    history.push(entry);
    this.forget(history, visit);
    return entry;
  }

  /** What is kept, in the order it was made (a Map iterates in insertion order, and ids grow with it). */
  kept(): Entry[] {
    return [...this.entries.values()];
  }

  /** Executions between the line's first and its latest ones go, and past TENSORS_PER_VISIT the oldest tensors (after
   * the first) of the current execution. */
  private forget(history: Entry[], visit: number): void {
    const first = history[0].visit;
    const oldestKeptVisit = visit - (HISTORY_PER_LINE - 2);
    let excess = -TENSORS_PER_VISIT;
    for (const e of history) if (e.visit === visit && !e.pinned) excess++;
    let firstOfVisitSeen = false;
    const kept: Entry[] = [];
    for (const e of history) {
      let keep = e.pinned || e.visit === first || e.visit >= oldestKeptVisit;
      if (keep && !e.pinned && e.visit === visit) {
        if (!firstOfVisitSeen) firstOfVisitSeen = true;
        else if (excess > 0) {
          excess--;
          keep = false;
        }
      }
      if (keep) kept.push(e);
      else {
        this.entries.delete(e.tensor);
        this.dropped++;
      }
    }
    if (kept.length !== history.length) history.splice(0, history.length, ...kept);
  }
}
