/**
 * RNN, LSTM, GRU, their cells and MultiheadAttention against PyTorch 1.13 (scripts/fixtures/recurrent_fixtures.py):
 * the same weights after manualSeed, the outputs and final states, every gradient, the printed module.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { type Tensor, nn } from "../../src/engine";
import { assertClose, assertNear, loadFixture } from "./helpers/compare";

interface RecurrentCase {
  name: string;
  ctor: "RNN" | "LSTM" | "GRU" | "RNNCell" | "LSTMCell" | "GRUCell" | "MultiheadAttention";
  args: number[];
  kw: Record<string, unknown>;
  repr: string;
  params: Record<string, number[]>;
  paramNames: string[];
  inputs: Array<{ shape: number[]; values: number[] }>;
  states: Array<{ shape: number[]; values: number[] }>;
  outputs: Array<{ shape: number[]; values: number[]; gradFn: string }>;
  weights: number[][];
  inputGrads: number[][];
  paramGrads: Record<string, number[]>;
}

const { cases } = loadFixture<{ cases: RecurrentCase[] }>("recurrent.json");

/** PyTorch's keyword arguments, as Gradlens's options spell them. */
function options(kw: Record<string, unknown>): Record<string, unknown> {
  const camel = (k: string) => k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  return Object.fromEntries(Object.entries(kw).map(([k, v]) => [camel(k), v]));
}

function flatten(out: unknown): Tensor[] {
  if (out instanceof gl.Tensor) return [out];
  if (Array.isArray(out)) return out.flatMap((o) => (o === null ? [] : flatten(o)));
  return [];
}

describe("recurrent layers and attention against PyTorch 1.13", () => {
  for (const c of cases) {
    it(c.name, () => {
      gl.manualSeed(0);
      const Ctor = nn[c.ctor] as unknown as new (...a: unknown[]) => nn.Module;
      const m = new Ctor(...c.args, options(c.kw));
      assert.equal(String(m), c.repr);
      const named = m.namedParameters();
      assert.deepEqual(named.map(([n]) => n), c.paramNames);
      // Initial weights: PyTorch's numbers after manual_seed, drawn in the same order.
      for (const [n, p] of named) assertClose(p, c.params[n], true, `initial ${n} (bit for bit)`);
      const inputs = c.inputs.map((i) => gl.tensor(i.values).reshape(i.shape).requiresGrad_());
      const states = c.states.map((s) => gl.tensor(s.values).reshape(s.shape));
      const call = m as unknown as (...a: unknown[]) => unknown;
      gl.manualSeed(200);
      let out: unknown;
      if (c.ctor === "MultiheadAttention") out = call(...(inputs.length === 1 ? [inputs[0], inputs[0], inputs[0]] : inputs));
      else if (c.ctor === "LSTM" || c.ctor === "LSTMCell") out = call(inputs[0], states.length ? states : null);
      else out = call(inputs[0], states[0] ?? null);
      const flat = flatten(out);
      assert.equal(flat.length, c.outputs.length, "number of outputs");
      flat.forEach((o, k) => {
        assert.deepEqual(o.shape, c.outputs[k].shape, `output ${k} shape`);
        assertNear(o, c.outputs[k].values, `output ${k}`);
      });
      flat.reduce((acc: Tensor, o, k) => acc.add(o.mul(gl.tensor(c.weights[k]).reshape(o.shape)).sum()), gl.tensor(0)).backward();
      inputs.forEach((t, k) => assertNear(t.grad!, c.inputGrads[k], `input ${k} grad`));
      for (const [n, p] of named) assertNear(p.grad!, c.paramGrads[n], `${n}.grad`);
    });
  }
});
