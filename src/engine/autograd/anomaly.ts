/**
 * Anomaly detection (`torch.autograd.detect_anomaly`): a backward that produces NaN stops at the node that made it,
 * naming the op and, when the runner recorded one, the source line of its forward.
 */
import { RuntimeError } from "../errors";
import type { Tensor } from "../tensor";
import type { GradFn } from "./node";

export const anomaly = { enabled: false };

/** Where each node's forward ran, as the runner reports it ("snippet.ts:12"), kept on the node: a WeakMap with a
 * long chain's every node alive in it is walked by each garbage collection. */
const FORWARD_LOCATION = Symbol("gradlens.forwardLocation");
type Located = GradFn & { [FORWARD_LOCATION]?: string };

export function setForwardLocation(fn: GradFn, location: string): void {
  (fn as Located)[FORWARD_LOCATION] = location;
}

export function detectAnomaly<T>(fn: () => T): T {
  const previous = anomaly.enabled;
  anomaly.enabled = true;
  try {
    return fn();
  } finally {
    anomaly.enabled = previous;
  }
}

export function checkForNaN(fn: GradFn, grads: ReadonlyArray<Tensor | null>): void {
  grads.forEach((g, i) => {
    if (!g) return;
    const d = g._data;
    for (let j = 0; j < d.length; j++) {
      if (d[j] !== d[j]) {
        const where = (fn as Located)[FORWARD_LOCATION];
        throw new RuntimeError(`Function '${fn.name}' returned nan values in its ${ordinal(i)} output.` + (where ? ` The forward op that made it ran at ${where}.` : ""));
      }
    }
  });
}

function ordinal(i: number): string {
  return `${i}th`;
}
