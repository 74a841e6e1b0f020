/**
 * Custom autograd.Functions whose forward returns several tensors, compared with PyTorch 1.13
 * (scripts/fixtures/customfn_fixtures.py): one node for all outputs, each its output_nr; backward given one gradient per
 * output, zeros where none reached unless setMaterializeGrads(false); markNonDifferentiable; MyCube's double backward.
 * Also: a graph through such a Function passes the numerical check, function_check judges its backward, and a snippet
 * using one runs through the runner with its checks passing (runs the built child: npm run build first).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as gl from "../../src/engine";
import { autograd, type Tensor } from "../../src/engine";
import { checkFunction } from "../../src/engine/autograd/function_check";
import { checkNodes } from "../../src/engine/autograd/graph_check";
import type { GradFn } from "../../src/engine/autograd/node";
import { runSnippet } from "../../src/runner/run";
import { assertClose, type FixtureValue, loadFixture } from "./helpers/compare";

interface Described {
  shape: number[];
  dtype: gl.DType;
  values: FixtureValue[];
  requiresGrad: boolean;
}
interface Output extends Described {
  gradFn: string | null;
  outputNr: number;
}
interface Case {
  name: string;
  outputs: Output[];
  received: Array<Array<Described | null>>;
  grad: Described;
}
interface Double {
  gradX: Described;
  gradXGradFn: string | null;
  gradGradX?: Described;
  received: Array<Array<Described | null>>;
}
const fx = loadFixture<{ x: number[]; w1: number[]; w2: number[]; cases: Case[]; myCubeDouble: Double; myCubeNonDifferentiableDouble: Double }>("customfn.json");

let received: Array<Array<Tensor | null>> = [];
const note = (...grads: Array<Tensor | null | undefined>) => received.push(grads.map((g) => g ?? null));

class SquareCube extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
    ctx.saveForBackward(x);
    return [x.mul(x), x.mul(x).mul(x)];
  }
  static override backward(ctx: autograd.FunctionCtx, gSquare: Tensor, gCube: Tensor): Tensor {
    note(gSquare, gCube);
    const [x] = ctx.savedTensors;
    return gSquare.mul(2).mul(x).add(gCube.mul(3).mul(x).mul(x));
  }
}

class SquareCubeUnmaterialized extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
    ctx.setMaterializeGrads(false);
    ctx.saveForBackward(x);
    return [x.mul(x), x.mul(x).mul(x)];
  }
  static override backward(ctx: autograd.FunctionCtx, gSquare: Tensor | null, gCube: Tensor | null): Tensor {
    note(gSquare, gCube);
    const [x] = ctx.savedTensors;
    let out = gl.zerosLike(x);
    if (gSquare) out = out.add(gSquare.mul(2).mul(x));
    if (gCube) out = out.add(gCube.mul(3).mul(x).mul(x));
    return out;
  }
}

class Sort extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
    const { values, indices } = x.sort();
    ctx.markNonDifferentiable(indices);
    ctx.saveForBackward(indices);
    return [values, indices];
  }
  static override backward(ctx: autograd.FunctionCtx, gValues: Tensor, gIndices: Tensor): Tensor {
    note(gValues, gIndices);
    const [indices] = ctx.savedTensors;
    return gl.zerosLike(gValues).scatter(0, indices, gValues);
  }
}

/** "Double backward with custom functions": dx is returned so that double backward reaches it. */
class MyCube extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
    const dx = x.pow(2).mul(3);
    const result = x.pow(3);
    ctx.saveForBackward(x, dx);
    return [result, dx];
  }
  static override backward(ctx: autograd.FunctionCtx, gradOutput: Tensor, gradDx: Tensor): Tensor {
    note(gradOutput, gradDx);
    const [x, dx] = ctx.savedTensors;
    return gradOutput.mul(dx).add(gradDx.mul(6).mul(x));
  }
}

class MyCubeNonDifferentiableDx extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
    const dx = x.pow(2).mul(3);
    const result = x.pow(3);
    ctx.markNonDifferentiable(dx);
    ctx.saveForBackward(dx);
    return [result, dx];
  }
  static override backward(ctx: autograd.FunctionCtx, gradOutput: Tensor, gradDx: Tensor): Tensor {
    note(gradOutput, gradDx);
    const [dx] = ctx.savedTensors;
    return gradOutput.mul(dx);
  }
}

const leaf = () => gl.tensor(fx.x, { dtype: "float64", requiresGrad: true });
const weighted = (t: Tensor, w: number[]) => t.mul(gl.tensor(w, { dtype: "float64" })).sum();

type TwoOutputs = { apply(x: Tensor): [Tensor, Tensor] } & { name: string };
const runs: Record<string, [TwoOutputs, (o: [Tensor, Tensor]) => Tensor]> = {
  "both outputs used": [SquareCube, (o) => weighted(o[0], fx.w1).add(weighted(o[1], fx.w2))],
  "only the first output used": [SquareCube, (o) => weighted(o[0], fx.w1)],
  "only the second output used, grads not materialized": [SquareCubeUnmaterialized, (o) => weighted(o[1], fx.w2)],
  "sort with indices marked non-differentiable": [Sort, (o) => weighted(o[0], fx.w1)],
  "MyCube non-differentiable dx": [MyCubeNonDifferentiableDx, (o) => weighted(o[0], fx.w1)],
};

function assertReceived(actual: Array<Array<Tensor | null>>, expected: Array<Array<Described | null>>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: backward calls`);
  expected.forEach((call, c) => {
    assert.equal(actual[c].length, call.length, `${what}: gradients given to backward call ${c}`);
    call.forEach((e, k) => {
      const a = actual[c][k];
      if (e === null) return assert.equal(a, null, `${what}: call ${c} output ${k} gets null`);
      assert.ok(a, `${what}: call ${c} output ${k} gets a gradient`);
      assert.equal(a.dtype, e.dtype, `${what}: call ${c} output ${k} dtype`);
      assert.deepEqual(a.shape, e.shape);
      assertClose(a, e.values, false, `${what}: call ${c} output ${k}`);
    });
  });
}

describe("custom autograd.Function with several outputs (PyTorch 1.13)", () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const [cls, use] = runs[c.name];
      received = [];
      const x = leaf();
      const outs = cls.apply(x);
      assert.ok(Array.isArray(outs), "apply returns one tensor per output");
      outs.forEach((o, k) => {
        const e = c.outputs[k];
        assertClose(o, e.values, false, `output ${k}`);
        assert.equal(o.dtype, e.dtype, `output ${k} dtype`);
        assert.equal(o.requiresGrad, e.requiresGrad, `output ${k} requiresGrad`);
        assert.equal(o.gradFn?.name ?? null, e.gradFn, `output ${k} grad_fn`);
        assert.equal(o._outputNr, e.outputNr, `output ${k} output_nr`);
      });
      const differentiable = outs.filter((o) => o.gradFn);
      assert.ok(differentiable.every((o) => o.gradFn === differentiable[0].gradFn), "one node for all outputs");
      use(outs).backward();
      assertReceived(received, c.received, c.name);
      assertClose(x.grad!, c.grad.values, false, "x.grad");
    });
  }

  for (const [name, cls, e] of [["MyCube", MyCube, fx.myCubeDouble], ["MyCube with dx non-differentiable", MyCubeNonDifferentiableDx, fx.myCubeNonDifferentiableDouble]] as const) {
    it(`${name}: double backward with createGraph`, () => {
      received = [];
      const x = leaf();
      const [result] = cls.apply(x);
      const [gx] = autograd.grad(weighted(result, fx.w1), x, { createGraph: true });
      assertClose(gx!, e.gradX.values, false, "grad x");
      assert.equal(gx!.requiresGrad, e.gradX.requiresGrad, "grad x requiresGrad");
      assert.equal(gx!.gradFn?.name ?? null, e.gradXGradFn, "grad x grad_fn");
      if (e.gradGradX) {
        const [ggx] = autograd.grad(weighted(gx!, fx.w2), x);
        assertClose(ggx!, e.gradGradX.values, false, "grad grad x");
      }
      assertReceived(received, e.received, name);
    });
  }

  it("an output that is one of the inputs, returned unchanged, is a new tensor of the node", () => {
    class Pass extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
        return [x, x.mul(2)];
      }
      static override backward(_ctx: autograd.FunctionCtx, a: Tensor, b: Tensor): Tensor {
        return a.add(b.mul(2));
      }
    }
    const x = leaf();
    const [same, twice] = Pass.apply(x);
    assert.notEqual(same, x);
    assert.equal(same.gradFn, twice.gradFn);
    same.add(twice).sum().backward();
    assert.deepEqual(x.grad!.tolist(), [3, 3, 3, 3]);
  });

  it("markNonDifferentiable with a tensor that is not an output is refused", () => {
    class Bad extends autograd.Function {
      static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
        ctx.markNonDifferentiable(x.mul(1));
        return [x.mul(2), x.mul(3)];
      }
    }
    assert.throws(() => Bad.apply(leaf()), /markNonDifferentiable only accepts output tensors/);
  });

  it("a forward that returns something other than tensors is refused, naming the output", () => {
    class NotTensors extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return [x.mul(2), 3] as unknown as Tensor;
      }
    }
    class NotATensor extends autograd.Function {
      static override forward(_ctx: autograd.FunctionCtx, x: Tensor): Tensor {
        return x.sum().item() as unknown as Tensor;
      }
    }
    assert.throws(() => NotTensors.apply(leaf()), /NotTensors.forward must return Tensors, but output 1 is number/);
    assert.throws(() => NotATensor.apply(leaf()), /NotATensor.forward must return a Tensor or an array of Tensors/);
  });

  it("the numerical check of a graph through a two-output Function passes, and a wrong backward fails it", () => {
    class WrongCube extends MyCube {
      static override backward(ctx: autograd.FunctionCtx, gradOutput: Tensor, gradDx: Tensor): Tensor {
        const [x, dx] = ctx.savedTensors;
        return gradOutput.mul(dx).add(gradDx.mul(5).mul(x));
      }
    }
    for (const [cls, ok] of [[MyCube, true], [WrongCube, false], [Sort, true], [MyCubeNonDifferentiableDx, true]] as const) {
      const x = leaf();
      const [a, b] = cls.apply(x);
      const loss = weighted(a, fx.w1).add(b.dtype === "float64" ? weighted(b, fx.w2) : gl.tensor(0, { dtype: "float64" }));
      const checks = checkNodes(loss).filter((c) => c.node.name === `${cls.name}Backward`);
      assert.equal(checks.length, 1, `${cls.name}: its node is checked`);
      assert.equal(checks[0].passed, ok, `${cls.name}: ${checks[0].message ?? checks[0].skipped ?? ""}`);
    }
  });

  it("function_check compares a two-output backward with autograd of its forward, element by element", () => {
    class WrongCube extends MyCube {
      static override backward(ctx: autograd.FunctionCtx, gradOutput: Tensor, gradDx: Tensor): Tensor {
        const [x, dx] = ctx.savedTensors;
        return gradOutput.mul(dx).add(gradDx.mul(5).mul(x));
      }
    }
    for (const [cls, ok] of [[MyCube, true], [WrongCube, false]] as const) {
      const x = leaf();
      const outs = cls.apply(x);
      const node = outs[0].gradFn as GradFn;
      const grads = [gl.tensor(fx.w1, { dtype: "float64" }), gl.tensor(fx.w2, { dtype: "float64" })];
      const [gx] = autograd.grad(outs, x, { gradOutputs: grads });
      const c = checkFunction(node, grads, [gx]);
      assert.equal(c.passed, ok, c.message ?? c.skipped ?? "");
      if (!ok) assert.equal(c.wrongCount, 4);
    }
  });
});

describe("a two-output Function in a run", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(path.join(tmpdir(), "gradlens-customfn-"));

  function snippet(name: string, factor: number): string {
    const file = path.join(dir, name);
    writeFileSync(file, `import { autograd, manualSeed, randn, type Tensor } from "gradlens";
class MyCube extends autograd.Function {
  static override forward(ctx: autograd.FunctionCtx, x: Tensor): [Tensor, Tensor] {
    const dx = x.pow(2).mul(3);
    ctx.saveForBackward(x, dx);
    return [x.pow(3), dx];
  }
  static override backward(ctx: autograd.FunctionCtx, gradOutput: Tensor, gradDx: Tensor): Tensor {
    const [x, dx] = ctx.savedTensors;
    return gradOutput.mul(dx).add(gradDx.mul(${factor}).mul(x));
  }
}
manualSeed(0);
const x = randn(8, 5).requiresGrad_(true);
const [cube, dx] = MyCube.apply(x);
cube.sum().add(dx.mul(dx).sum()).backward();
console.log(x.grad!.shape);
`);
    return file;
  }

  it("runs, and its node passes both the autograd comparison and the numerical check", async () => {
    const trace = await runSnippet({ file: snippet("right.ts", 6) });
    assert.equal(trace.status, "ok", trace.error?.message);
    const call = trace.backwards[0];
    const node = call.nodeChecks.find((n) => n.name === "MyCubeBackward");
    assert.ok(node, JSON.stringify(call.nodeChecks.map((n) => n.name)));
    assert.equal(node.passed, true, JSON.stringify(node));
    assert.equal(node.method, "autograd");
    assert.ok(call.checks.every((c) => c.passed !== false), JSON.stringify(call.checks));
  });

  it("a backward that forgets part of the second output's gradient fails its check", async () => {
    const trace = await runSnippet({ file: snippet("wrong.ts", 5) });
    assert.equal(trace.status, "check-failed", trace.error?.message);
    const node = trace.backwards[0].nodeChecks.find((n) => n.name === "MyCubeBackward")!;
    assert.equal(node.passed, false);
  });
});
