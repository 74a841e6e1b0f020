/**
 * The panel's graph model: what boxes a user sees for a run. Loops that build a fresh graph per iteration fold to
 * their latest copy with a count; past COLLAPSE_AT nodes, a loop inside one graph folds by source line. Runs the
 * built worker (npm run build first; npm test does).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runSnippet } from "../../src/runner/run";
import type { Trace } from "../../src/runner/trace";
import { buildGraph, COLLAPSE_AT, type GraphModel } from "../../webview/graphModel";

const examples = path.join(__dirname, "..", "..", "examples");

async function run(file: string): Promise<Trace> {
  const trace = await runSnippet({ file });
  assert.equal(trace.status, "ok", trace.error?.message);
  return trace;
}

function lineOf(trace: Trace, text: string): number {
  return readFileSync(trace.file, "utf8").split("\n").indexOf(text) + 1;
}

function titles(model: GraphModel): string[] {
  return model.boxes.map((b) => `${b.title} | ${b.subtitle}`);
}

describe("graph model (the panel's boxes)", function () {
  this.timeout(30_000);

  it("seed 000: the first graph box by box, the gradient-descent loop folded to its latest copy with the count", async () => {
    const trace = await run(path.join(examples, "seed0_autograd_basics.ts"));
    const model = buildGraph(trace);
    assert.equal(model.collapsed, false);
    const shown = titles(model);
    for (const box of ["x | [2, 2] leaf", "AddBackward0 | x1 [2, 2]", "SubBackward0 | x2 [2, 2]", "MulBackward0 | x3 [2, 2]", "SumBackward0 | y []"]) {
      assert.ok(shown.includes(box), `${box} in ${shown.join("; ")}`);
    }
    // The while loop calls F.mseLoss once per iteration at one line: one box stands for all of them.
    const lossLine = lineOf(trace, "  loss = F.mseLoss(z, target);");
    const iterations = trace.nodes.filter((n) => n.name === "MseLossBackward0" && n.at?.line === lossLine).length;
    assert.ok(iterations > 10, `the loop ran ${iterations} times`);
    const folded = model.boxes.filter((b) => b.title === "MseLossBackward0" && b.line === lossLine);
    assert.equal(folded.length, 1);
    assert.match(folded[0].subtitle, new RegExp(`×${iterations} runs$`));
    // Every label reads as a phrase: no dangling separator from a missing name or shape.
    for (const b of model.boxes) assert.match(b.subtitle, /^[^ ·]/, `${b.title}: "${b.subtitle}"`);
  });

  it("a training loop: its 30 graphs fold into one though they share the parameters' leaves, named as in PyTorch", async () => {
    const trace = await run(path.join(examples, "mlp_training.ts"));
    const model = buildGraph(trace);
    const shown = titles(model).sort();
    assert.deepEqual(shown, [
      "AddmmBackward0 | [16, 1] · ×30 runs",
      "AddmmBackward0 | [16, 8] · ×30 runs",
      "MseLossBackward0 | loss [] · ×30 runs",
      "TBackward0 | [4, 8] · ×30 runs",
      "TBackward0 | [8, 1] · ×30 runs",
      "TanhBackward0 | [16, 8] · ×30 runs",
      "model.0.bias | [8] leaf",
      "model.0.weight | [8, 4] leaf",
      "model.2.bias | [1] leaf",
      "model.2.weight | [1, 8] leaf",
    ]);
    // The latest copy is drawn: its loss is the one the loop printed last (step 30: loss 0.06847).
    const loss = trace.tensors.find((t) => t.id === model.boxes.find((b) => b.title === "MseLossBackward0")!.tensor)!;
    assert.equal(loss.repr, "tensor(0.0685, grad_fn=<MseLossBackward0>)");
  });

  it(`a loop inside one graph past ${COLLAPSE_AT} nodes folds into one box per line and op, edges kept`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "gradlens-graph-"));
    const file = path.join(dir, "long_chain.ts");
    writeFileSync(file, [
      'import { tensor } from "gradlens";',
      "const x = tensor([1, 2], { requiresGrad: true });",
      "let y = x;",
      "for (let i = 0; i < 200; i++) {",
      "  y = y.mul(1.01);",
      "  y = y.add(0.1);",
      "}",
      "y.sum().backward();",
      "",
    ].join("\n"));
    const model = buildGraph(await run(file));
    assert.equal(model.collapsed, true);
    const byTitle = new Map(model.boxes.map((b) => [b.title, b]));
    assert.deepEqual([...byTitle.keys()].sort(), ["AddBackward0", "MulBackward0", "SumBackward0", "x"]);
    assert.equal(byTitle.get("MulBackward0")!.subtitle, "×200 · line 5");
    assert.equal(byTitle.get("AddBackward0")!.subtitle, "×200 · line 6");
    assert.equal(byTitle.get("MulBackward0")!.nodes.length, 200);
    const key = (title: string) => byTitle.get(title)!.key;
    const edges = model.edges.map(([a, b]) => `${a}->${b}`);
    for (const [from, to] of [["x", "MulBackward0"], ["MulBackward0", "AddBackward0"], ["AddBackward0", "MulBackward0"], ["AddBackward0", "SumBackward0"]]) {
      assert.ok(edges.includes(`${key(from)}->${key(to)}`), `${from} → ${to}`);
    }
  });
});
