/**
 * Views in the Trace (issue 8): a view names the tensor it is a view of, so the panel can say "view of x", and an
 * in-place write through a view shows in the graph as CopySlices, where PyTorch has it. Through the built runner
 * (npm run build first; npm test does).
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { disposeRunner, runSnippet } from "../../src/runner/run";

describe("views in the Trace", function () {
  this.timeout(60_000);
  after(() => disposeRunner());

  it("examples/indexing_and_views.ts: each basic index names x as its base, the advanced ones are copies; CopySlices is in the graph", async () => {
    const trace = await runSnippet({ file: path.join(__dirname, "..", "..", "examples", "indexing_and_views.ts") });
    assert.equal(trace.status, "ok", trace.error?.message);
    const byName = new Map(trace.tensors.map((t) => [t.name, t]));
    const x = byName.get("x")!;
    for (const view of ["row", "cols", "everyOther", "lastCol"]) assert.equal(byName.get(view)?.viewOf, x.id, `${view} is a view of x`);
    assert.equal(byName.get("emb")?.viewOf, null, "advanced indexing copies");
    assert.equal(x.viewOf, null);
    assert.ok(trace.nodes.some((n) => n.name === "CopySlices"), "the in-place write through a view rebased y's history");
    const y = byName.get("y")!;
    assert.match(y.repr, /grad_fn=<CopySlices>/);
  });

  it("a module's buffers take their PyTorch paths, as its parameters do (model.1.running_mean)", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "gradlens-buffers-")), "bn.ts");
    writeFileSync(file, 'import { nn, randn } from "gradlens";\nconst model = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3));\nmodel(randn(4, 2)).sum().backward();\n');
    const trace = await runSnippet({ file });
    assert.equal(trace.status, "ok", trace.error?.message);
    const names = trace.tensors.map((t) => t.name);
    for (const n of ["model.0.weight", "model.1.weight", "model.1.running_mean", "model.1.running_var", "model.1.num_batches_tracked"]) assert.ok(names.includes(n), n);
  });
});
