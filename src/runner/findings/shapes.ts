/**
 * Shapes that run without an error and compute something else: a loss whose input and target broadcast against each
 * other, a softmax over the batch dimension, and crossEntropy given probabilities that already went through softmax.
 */
import type { Tensor } from "../../engine/tensor";
import type { Finding } from "../trace";
import { finding } from "./context";

const SIZE_WARNING = /^Using a target size \(torch\.Size\(\[([\d, ]*)\]\)\) that is different to the input size \(torch\.Size\(\[([\d, ]*)\]\)\)/;

function parseShape(text: string): number[] {
  return text.trim() ? text.split(",").map((s) => Number(s.trim())) : [];
}

function broadcast(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

const fmt = (s: number[]) => `[${s.join(", ")}]`;

export class ShapeWatch {
  private readonly found = new Map<string, Finding>();
  /** Outputs of softmax, and the line that made them. */
  private readonly softmaxed = new WeakMap<Tensor, number>();

  warning(message: string, line: number): void {
    const m = SIZE_WARNING.exec(message);
    if (!m) return;
    const target = parseShape(m[1]);
    const input = parseShape(m[2]);
    const both = broadcast(input, target);
    const grows = both !== null && both.reduce((a, b) => a * b, 1) > Math.max(input.reduce((a, b) => a * b, 1), target.reduce((a, b) => a * b, 1));
    const effect = both === null ? "" : grows ? `: they broadcast to ${fmt(both)}, so every prediction is compared with every target` : `: they broadcast to ${fmt(both)}`;
    this.add(`broadcast:${line}`, finding("broadcast-loss", "warning", line,
      `The loss at line ${line} compares an input of shape ${fmt(input)} with a target of shape ${fmt(target)}${effect}.`,
      input.length > target.length ? "Give both the same shape: input.squeeze(-1), or target.unsqueeze(-1)." : "Give both the same shape: target.squeeze(-1), or input.unsqueeze(-1)."));
  }

  softmax(out: Tensor, input: Tensor, dim: number, log: boolean, line: number): void {
    if (log) {
      const from = this.softmaxed.get(input);
      if (from !== undefined) {
        this.add(`probabilities:${line}`, finding("cross-entropy-probabilities", "warning", line,
          `The loss at line ${line} takes the log-softmax of probabilities that already went through softmax at line ${from}, so softmax is applied twice and the gradients shrink.`,
          "Give crossEntropy the logits (the values before softmax); it applies logSoftmax itself."));
      }
    } else this.softmaxed.set(out, line);
    if (dim === 0 && input.shape.length >= 2 && input.shape[0] > 1) {
      const name = log ? "logSoftmax" : "softmax";
      this.add(`dim:${line}`, finding("softmax-batch-dim", "warning", line,
        `${name} at line ${line} normalises over dim 0, the batch of ${input.shape[0]} examples, so each column sums to 1 across examples instead of each row across classes.`,
        `Normalise over the classes: ${name}(x, 1) (or -1).`));
    }
  }

  findings(): Finding[] {
    return [...this.found.values()];
  }

  private add(key: string, f: Finding): void {
    if (!this.found.has(key)) this.found.set(key, f);
  }
}
