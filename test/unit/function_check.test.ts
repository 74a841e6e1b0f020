/**
 * A user Function's backward checked element by element against the engine's autograd of its forward: one wrong
 * element in 401,408 is named, as are 0.2% everywhere and half a row of a 256×784 weight; a right one passes; a
 * forward written by hand is left to the numerical check. And the runner reports it.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as gl from "../../src/engine";
import { autograd, type Tensor } from "../../src/engine";
import { checkFunction } from "../../src/engine/autograd/function_check";
import type { GradFn } from "../../src/engine/autograd/node";
import { backwardOf } from "../../src/engine/ops/op";
import { runSnippet } from "../../src/runner/run";

/** Breaks the weight's gradient the way `spoil` says. */
function scaledBy(spoil: (gw: Tensor) => void) {
  return class ScaledBy extends autograd.Function {
    static override forward(ctx: autograd.FunctionCtx, x: Tensor, w: Tensor): Tensor {
      ctx.saveForBackward(x, w);
      return x.mul(w);
    }
    static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor[] {
      const [x, w] = ctx.savedTensors;
      const gw = g.mul(x);
      spoil(gw);
      return [g.mul(w), gw];
    }
  };
}

function check(fn: ReturnType<typeof scaledBy>, rows: number, cols: number) {
  gl.manualSeed(0);
  const x = gl.randn(rows, cols).requiresGrad_(true);
  const w = gl.randn(rows, cols).requiresGrad_(true);
  const out = fn.apply(x, w);
  const node = out.gradFn as GradFn;
  const g = gl.randn(rows, cols);
  const inputGrads = backwardOf(node.op, { inputs: node.inputs, outputs: [out], attrs: node.attrs, needsInputGrad: [true, true] }, [g]);
  return checkFunction(node, g, inputGrads);
}

describe("function_check: a user's backward against autograd of its forward", function () {
  this.timeout(30_000);

  it("a right backward passes, every element compared", () => {
    const c = check(scaledBy(() => undefined), 512, 784);
    assert.equal(c.passed, true, c.message ?? "");
    assert.equal(c.wrongCount, 0);
  });

  it("one wrong element in a 512×784 gradient is caught and named", () => {
    const c = check(scaledBy((gw) => void (gw._data[123_456] += 0.5)), 512, 784);
    assert.equal(c.passed, false);
    assert.equal(c.wrongCount, 1);
    assert.deepEqual(c.wrong.map((e) => [e.input, e.index]), [[1, [157, 368]]]);
    assert.ok(Math.abs(c.wrong[0].analytical - c.wrong[0].expected - 0.5) < 1e-5);
    assert.match(c.message!, /^input 1: 1 of 401408 elements differ from the autograd of its forward, the worst at \[157, 368\]/);
  });

  it("wrong by 0.2% everywhere: every element named as wrong", () => {
    const c = check(scaledBy((gw) => gw._data.forEach((v, i, a) => (a[i] = v * 1.002))), 512, 784);
    assert.equal(c.passed, false);
    // Elements whose value is tiny sit under the absolute floor; nearly all are caught.
    assert.ok(c.wrongCount > 0.9 * 512 * 784, String(c.wrongCount));
    assert.equal(c.wrong.length, 20);
  });

  it("half a row of a 256×784 weight's gradient wrong", () => {
    const c = check(scaledBy((gw) => { for (let j = 0; j < 392; j++) gw._data[10 * 784 + j] *= -1; }), 256, 784);
    assert.equal(c.passed, false);
    assert.ok(c.wrongCount > 380 && c.wrongCount <= 392, String(c.wrongCount));
    assert.ok(c.wrong.every((e) => e.input === 1 && e.index[0] === 10 && e.index[1] < 392));
  });

  it("a forward that writes its values by hand is left to the numerical check", () => {
    class ByHand extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        const out = gl.zerosLike(x);
        x._data.forEach((v, i) => (out._data[i] = 2 * v));
        return out;
      }
      static override backward(_ctx: autograd.FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    const x = gl.randn(3).requiresGrad_(true);
    const out = ByHand.apply(x);
    const node = out.gradFn as GradFn;
    const g = gl.onesLike(out);
    const c = checkFunction(node, g, [g.mul(2)]);
    assert.equal(c.passed, null);
    assert.match(c.skipped!, /not made of differentiable ops/);
  });

  it("in a run: the node's check says autograd, names the element, and the run fails its checks", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "gradlens-fc-")), "custom.ts");
    writeFileSync(file, `import { autograd, randn, manualSeed, type Tensor } from "gradlens";
class ScaledBy extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor, w: Tensor): Tensor {
    ctx.saveForBackward(x, w);
    return x.mul(w);
  }
  static override backward(ctx: autograd.FunctionCtx, g: Tensor): Tensor[] {
    const [x, w] = ctx.savedTensors;
    const gw = g.mul(x);
    (gw as unknown as { _data: Float32Array })._data[1000] += 1;
    return [g.mul(w), gw];
  }
}
manualSeed(0);
const x = randn(64, 100).requiresGrad_(true);
const w = randn(64, 100).requiresGrad_(true);
ScaledBy.apply(x, w).sum().backward();
`);
    const trace = await runSnippet({ file });
    assert.equal(trace.status, "check-failed");
    const c = trace.backwards[0].nodeChecks.find((n) => n.name === "ScaledByBackward")!;
    assert.equal(c.method, "autograd");
    assert.equal(c.passed, false);
    assert.equal(c.wrongCount, 1);
    assert.deepEqual(c.wrongElements!.map((e) => [e.input, e.index]), [[1, [10, 0]]]);
    assert.equal(c.at?.line, 17);
  });
});
