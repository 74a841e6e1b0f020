/**
 * A value kept on each graph node for one recorder, under a symbol of its own. A WeakMap would do the same job, but
 * a WeakMap with hundreds of thousands of live keys (a long chain's graph, alive until backward) is walked by every
 * garbage collection, which made recording a long chain quadratic.
 */
import type { Node } from "../engine/autograd/node";

export class NodeSlot<T> {
  private readonly key = Symbol("gradlens.recorder");

  get(n: Node): T | undefined {
    return (n as unknown as Record<symbol, T | undefined>)[this.key];
  }

  has(n: Node): boolean {
    return this.get(n) !== undefined;
  }

  set(n: Node, value: T): this {
    (n as unknown as Record<symbol, T>)[this.key] = value;
    return this;
  }
}
