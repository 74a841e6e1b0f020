/**
 * lr_scheduler against PyTorch 1.13: every lr (and momentum / Adam's beta1 for OneCycleLR) after construction and
 * after each step, as the same doubles. Fixtures: scripts/fixtures/optim_fixtures.py → test/fixtures/optim.json.
 */
import { strict as assert } from "node:assert";
import { nn, optim, setRecorder, tensor } from "../../src/engine";
import { pyPow } from "../../src/engine/random/libm_pow";
import { loadFixture } from "./helpers/compare";

const S = optim.lr_scheduler;

interface Spec {
  type: string;
  [key: string]: unknown;
}

interface SchedulerCase {
  name: string;
  groups: number[];
  optimizer: "SGD" | "Adam";
  steps: number;
  metrics: number[] | null;
  epochs: number[] | null;
  spec: Spec;
  record: Array<{ lr: number[]; momentum?: number[]; beta1?: number[]; lastLr?: number[] }>;
}

const fixture = loadFixture<{ schedulers: SchedulerCase[]; errors: Record<string, { type: string; message: string }> }>("optim.json");

/** The Python lambdas of the fixture, computed as Python computes them (its ** is glibc's pow). */
const LAMBDAS: Record<string, (e: number) => number> = {
  "0.95 ** e": (e) => pyPow(0.95, e),
  "1 / (e + 1)": (e) => 1 / (e + 1),
  "0.5 * e + 1": (e) => 0.5 * e + 1,
  "0.97": () => 0.97,
};

type AnyScheduler = { step(arg?: number): void; getLastLr(): number[] };

function make(spec: Spec, opt: optim.Optimizer): AnyScheduler {
  const { type, ...o } = spec;
  switch (type) {
    case "StepLR":
      return new S.StepLR(opt, o.stepSize as number, o);
    case "MultiStepLR":
      return new S.MultiStepLR(opt, o.milestones as number[], o);
    case "ExponentialLR":
      return new S.ExponentialLR(opt, o.gamma as number);
    case "CosineAnnealingLR":
      return new S.CosineAnnealingLR(opt, o.tMax as number, o);
    case "LambdaLR":
      return new S.LambdaLR(opt, Array.isArray(o.lambda) ? o.lambda.map((l: string) => LAMBDAS[l]) : LAMBDAS[o.lambda as string]);
    case "MultiplicativeLR":
      return new S.MultiplicativeLR(opt, LAMBDAS[o.lambda as string]);
    case "LinearLR":
      return new S.LinearLR(opt, o);
    case "ConstantLR":
      return new S.ConstantLR(opt, o);
    case "OneCycleLR":
      return new S.OneCycleLR(opt, o.maxLr as number | number[], o);
    case "ReduceLROnPlateau":
      return new S.ReduceLROnPlateau(opt, o) as unknown as AnyScheduler;
    case "SequentialLR":
      return new S.SequentialLR(opt, (o.schedulers as Spec[]).map((s) => make(s, opt) as optim.lr_scheduler.LRScheduler), o.milestones as number[]);
    default:
      throw new Error(`unknown scheduler ${type}`);
  }
}

function optimizerFor(c: SchedulerCase): optim.Optimizer {
  const groups = c.groups.map((lr) => ({ params: [new nn.Parameter(tensor([0, 0]))], lr }));
  return c.optimizer === "SGD" ? new optim.SGD(groups, { momentum: 0.9 }) : new optim.Adam(groups);
}

describe("lr_scheduler: the lrs PyTorch sets, to the last bit", () => {
  for (const c of fixture.schedulers) {
    it(c.name, () => {
      const opt = optimizerFor(c);
      const sched = make(c.spec, opt);
      const check = (k: number) => {
        const e = c.record[k];
        const where = k === 0 ? "after construction" : `after step ${k}`;
        assert.deepEqual(opt.paramGroups.map((g) => g.lr), e.lr, `lr ${where}`);
        if (e.momentum) assert.deepEqual(opt.paramGroups.map((g) => g.momentum), e.momentum, `momentum ${where}`);
        if (e.beta1) assert.deepEqual(opt.paramGroups.map((g) => (g.betas as number[])[0]), e.beta1, `beta1 ${where}`);
        if (e.lastLr) assert.deepEqual(sched.getLastLr(), e.lastLr, `getLastLr() ${where}`);
      };
      check(0);
      for (let i = 0; i < c.steps; i++) {
        opt.step();
        if (c.metrics) sched.step(c.metrics[i]);
        else if (c.epochs) sched.step(c.epochs[i]);
        else sched.step();
        check(i + 1);
      }
    });
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
