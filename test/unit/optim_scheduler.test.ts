/**
 * lr_scheduler against PyTorch 1.13: every lr (and momentum / Adam's beta1 for OneCycleLR) after construction and
 * after each step, as the same doubles. Fixtures: scripts/fixtures/optim_fixtures.py → test/fixtures/optim.json.
 */
import { strict as assert } from "node:assert";
import { nn, optim, setRecorder, tensor } from "../../src/engine";
import { loadFixture } from "./helpers/compare";
import { replaySchedule, type SchedulerCase } from "./helpers/schedulers";

const S = optim.lr_scheduler;

const fixture = loadFixture<{ schedulers: SchedulerCase[]; errors: Record<string, { type: string; message: string }> }>("optim.json");

describe("lr_scheduler: the lrs PyTorch sets, to the last bit", () => {
  for (const c of fixture.schedulers) {
    it(c.name, () => replaySchedule(c));
  }
});

describe("lr_scheduler: errors", () => {
  it("rejects bad arguments with PyTorch's errors", () => {
    const p = () => [new nn.Parameter(tensor([0, 0]))];
    const sgd = () => new optim.SGD(p(), { lr: 0.1 });
    const cases: Record<string, () => unknown> = {
      "LinearLR start_factor 2": () => new S.LinearLR(sgd(), { startFactor: 2 }),
      "LinearLR end_factor -1": () => new S.LinearLR(sgd(), { endFactor: -1 }),
      "ConstantLR factor 2": () => new S.ConstantLR(sgd(), { factor: 2 }),
      "LambdaLR lambdas count": () => new S.LambdaLR(sgd(), [() => 1, () => 1]),
      "OneCycleLR no steps": () => new S.OneCycleLR(sgd(), 0.1),
      "OneCycleLR total_steps 0": () => new S.OneCycleLR(sgd(), 0.1, { totalSteps: 0 }),
      "OneCycleLR pct_start 1.5": () => new S.OneCycleLR(sgd(), 0.1, { totalSteps: 10, pctStart: 1.5 }),
      "OneCycleLR anneal": () => new S.OneCycleLR(sgd(), 0.1, { totalSteps: 10, annealStrategy: "exp" as "cos" }),
      "OneCycleLR no momentum": () => new S.OneCycleLR(new optim.Adagrad(p()), 0.1, { totalSteps: 10 }),
      "OneCycleLR too many steps": () => {
        const s = new S.OneCycleLR(new optim.SGD(p(), { lr: 0.1, momentum: 0.9 }), 0.1, { totalSteps: 3 });
        for (let i = 0; i < 4; i++) s.step();
      },
      "ReduceLROnPlateau factor 1": () => new S.ReduceLROnPlateau(sgd(), { factor: 1.0 }),
      "ReduceLROnPlateau mode": () => new S.ReduceLROnPlateau(sgd(), { mode: "avg" as "min" }),
      "ReduceLROnPlateau threshold mode": () => new S.ReduceLROnPlateau(sgd(), { thresholdMode: "pct" as "rel" }),
      "SequentialLR milestones": () => {
        const o = sgd();
        return new S.SequentialLR(o, [new S.StepLR(o, 2)], [3]);
      },
      "SequentialLR other optimizer": () => new S.SequentialLR(sgd(), [new S.StepLR(sgd(), 2)], []),
      "StepLR resume without initial_lr": () => new S.StepLR(sgd(), 2, { lastEpoch: 3 }),
    };
    for (const [name, fn] of Object.entries(cases)) {
      const expected = fixture.errors[name];
      assert.throws(fn, (e: Error) => {
        assert.equal(e.name, expected.type, `${name}: type`);
        assert.equal(e.message, expected.message, `${name}: message`);
        return true;
      }, name);
    }
  });

  it("warns, as PyTorch does, when the scheduler steps before the optimizer", () => {
    const warnings: string[] = [];
    setRecorder({ onTensor() {}, onModified() {}, onBackward() {}, onWarning: (m) => warnings.push(m) });
    try {
      const o = new optim.SGD([new nn.Parameter(tensor([1.5, 2.5]))], { lr: 0.1 });
      new S.ExponentialLR(o, 0.5).step();
    } finally {
      setRecorder(null);
    }
    assert.ok(warnings.some((w) => w.includes("Detected call of `lr_scheduler.step()` before `optimizer.step()`")), warnings.join("\n"));
  });
});
