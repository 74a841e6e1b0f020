/** Fixtures of exact float32 bits (base64 of little-endian bytes) and bit-for-bit comparison. */
import { strict as assert } from "node:assert";
import type { Tensor } from "../../../src/engine";

export function decodeF32(b64: string): Float32Array {
  const bytes = Buffer.from(b64, "base64");
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Positions where `actual` differs from `expected` in its bits (any NaN equals any NaN: payloads are not kept). */
export function mismatches(actual: ArrayLike<number>, expected: Float32Array): number[] {
  assert.equal(actual.length, expected.length, "element count");
  const out: number[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = Math.fround(actual[i]);
    const e = expected[i];
    if (!(Object.is(a, e) || (a !== a && e !== e))) out.push(i);
  }
  return out;
}

/** The tensor's float32 values, row-major. */
export function valuesOf(t: Tensor): Float32Array {
  return Float32Array.from(t.detach().reshape(-1).tolist() as number[]);
}

/** A readable list of the first few mismatches. */
export function describeMismatches(where: number[], actual: ArrayLike<number>, expected: Float32Array, inputs: Array<[string, Float32Array]>, limit = 4): string {
  return where
    .slice(0, limit)
    .map((i) => `[${i}] ${inputs.map(([n, v]) => `${n}=${v[i]}`).join(" ")} got ${actual[i]} want ${expected[i]}`)
    .join("; ");
}

/** Collects mismatch counts per label and prints them as a table after the suite. */
export class MismatchReport {
  private readonly rows: Array<[string, number, number]> = [];

  add(label: string, bad: number, total: number): void {
    this.rows.push([label, bad, total]);
  }

  print(title: string): void {
    const width = Math.max(...this.rows.map(([l]) => l.length), 10);
    const lines = this.rows.map(([l, bad, total]) => `    ${l.padEnd(width)}  ${String(bad).padStart(5)} / ${total}`);
    console.log(`\n  ${title} (mismatched elements / compared):\n${lines.join("\n")}`);
  }
}
