/** A max-heap of nodes by sequence number: backward runs the newest ready node first, as PyTorch's ready queue. */
import type { Node } from "./node";

export class NodeHeap {
  private readonly items: Node[] = [];

  get size(): number {
    return this.items.length;
  }

  push(node: Node): void {
    const a = this.items;
    a.push(node);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent].seq >= node.seq) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = node;
  }

  pop(): Node | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const child = r < a.length && a[r].seq > a[l].seq ? r : l;
        if (a[child].seq <= last.seq) break;
        a[i] = a[child];
        i = child;
      }
      a[i] = last;
    }
    return top;
  }
}
