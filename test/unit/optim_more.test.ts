/**
 * Rprop and ASGD against PyTorch 1.13's own trajectories, bit for bit (parameters after each step, every state
 * entry at the end), and the schedulers CosineAnnealingWarmRestarts, CyclicLR, ChainedScheduler and PolynomialLR
 * against PyTorch's lrs (and momentum) step by step, as the same doubles.
 * Fixtures: scripts/fixtures/optimmore_fixtures.py → test/fixtures/optimmore.json.
 */
import { strict as assert } from "node:assert";
import { nn, optim, setRecorder, tensor, Tensor } from "../../src/engine";
import { loadFixture } from "./helpers/compare";
import { replaySchedule, type SchedulerCase } from "./helpers/schedulers";
import { maxUlp, type Packed, unpack, unpackParameter, unpackTensor } from "./helpers/packed";

type FloatDType = "float32" | "float64";

interface Trajectory {
  name: string;
  optimizer: "Rprop" | "ASGD";
  options: Record<string, unknown>;
  dtype: FloatDType;
  groups: Array<{ params: string[]; options: Record<string, unknown> }> | null;
  names: string[];
  shapes: Record<string, number[]>;
  initial: Record<string, Packed>;
  steps: Array<{ grads: Record<string, Packed | null>; params: Record<string, Packed> }>;
  stateKeys: string[];
  /** Each parameter's state after the last step, in group order: tensors packed, Python ints as numbers. */
  finalState: Array<Record<string, Packed | number>>;
}

interface Fixture {
  trajectories: Trajectory[];
  schedulers: SchedulerCase[];
  errors: Record<string, { type: string; message: string }>;
  reprs: Record<string, string>;
}

const fixture = loadFixture<Fixture>("optimmore.json");
const S = optim.lr_scheduler;

/** PyTorch's state names, as the engine spells them. */
const STATE_NAMES: Record<string, string> = { step: "step", prev: "prev", step_size: "stepSize", eta: "eta", mu: "mu", ax: "ax" };

function makeOptimizer(name: "Rprop" | "ASGD", params: unknown, options: Record<string, unknown>): optim.Optimizer {
  return name === "Rprop" ? new optim.Rprop(params as never, options) : new optim.ASGD(params as never, options);
}

describe("Rprop and ASGD: trajectories equal PyTorch's, bit for bit", () => {
  for (const c of fixture.trajectories) {
    it(`${c.name} (${c.dtype}, ${c.steps.length} steps)`, () => {
      const params = new Map(c.names.map((n) => [n, unpackParameter(c.initial[n], c.shapes[n])]));
      const spec = c.groups ? c.groups.map((g) => ({ params: g.params.map((n) => params.get(n)!), ...g.options })) : [...params.values()];
      const opt = makeOptimizer(c.optimizer, spec, c.options);
      c.steps.forEach((step, k) => {
        for (const n of c.names) {
          const g = step.grads[n];
          params.get(n)!.grad = g === null ? null : unpackTensor(g, c.shapes[n]);
        }
        opt.step();
        for (const n of c.names) {
          const ulp = maxUlp(params.get(n)!._data, unpack(step.params[n]), c.dtype);
          assert.equal(ulp, 0, `step ${k + 1}, ${n}: ${ulp} ulp from PyTorch`);
        }
      });
      const inOrder = opt.paramGroups.flatMap((g) => g.params);
      c.finalState.forEach((expected, i) => {
        const state = opt.state.get(inOrder[i])!;
        assert.deepEqual(Object.keys(state), Object.keys(expected).map((k) => STATE_NAMES[k]), `parameter ${i}: state entries, in PyTorch's order`);
        for (const [k, v] of Object.entries(expected)) {
          const actual = state[STATE_NAMES[k]];
          if (typeof v === "number") {
            assert.equal(actual, v, `parameter ${i}: state ${k}`);
            continue;
          }
          assert.ok(actual instanceof Tensor, `parameter ${i}: state ${k} is a tensor`);
          const want = unpack(v);
          assert.equal(actual.dtype, want instanceof Float32Array ? "float32" : "float64", `parameter ${i}: state ${k} dtype`);
          assert.equal(maxUlp(actual._data, want, actual.dtype as FloatDType), 0, `parameter ${i}: state ${k} values`);
        }
      });
      assert.deepEqual(Object.keys(opt.stateDict().state[0]).sort(), c.stateKeys.map((k) => STATE_NAMES[k]).sort(), "stateDict() state entries");
    });
  }
});

describe("Rprop and ASGD: API", () => {
  const p = () => [new nn.Parameter(tensor([0, 0]))];

  it("rejects bad arguments with PyTorch's errors", () => {
    const cases: Record<string, () => unknown> = {
      "Rprop lr -1": () => new optim.Rprop(p(), { lr: -1 }),
      "Rprop etas 0.5, 1": () => new optim.Rprop(p(), { etas: [0.5, 1] }),
      "Rprop etas -0.5, 1.5": () => new optim.Rprop(p(), { etas: [-0.5, 1.5] }),
      "ASGD lr -0.1": () => new optim.ASGD(p(), { lr: -0.1 }),
      "ASGD weight_decay -1": () => new optim.ASGD(p(), { weightDecay: -1 }),
    };
    checkErrors(cases);
  });

  it("prints as PyTorch prints them", () => {
    const made: Record<string, optim.Optimizer> = {
      Rprop: new optim.Rprop(p()),
      "Rprop options": new optim.Rprop(p(), { lr: 0.05, etas: [0.3, 1.5], stepSizes: [1e-4, 0.5], maximize: true }),
      ASGD: new optim.ASGD(p()),
      "ASGD options": new optim.ASGD(p(), { lr: 0.1, lambd: 1e-3, alpha: 0.5, t0: 100.0, weightDecay: 0.01 }),
    };
    for (const [name, opt] of Object.entries(made)) assert.equal(opt.toString(), fixture.reprs[name], name);
  });

  it("stateDict / loadStateDict: a copy resumes exactly where the original goes (ASGD averaging, Rprop step sizes)", () => {
    for (const name of ["ASGD averaging from step 5", "Rprop etas step sizes clamped"]) {
      const traj = fixture.trajectories.find((t) => t.name === name)!;
      const run = (split: boolean): number[][] => {
        const params = traj.names.map((n) => unpackParameter(traj.initial[n], traj.shapes[n]));
        let opt = makeOptimizer(traj.optimizer, params, traj.options);
        traj.steps.forEach((step, k) => {
          if (split && k === 9) {
            const saved = opt.stateDict();
            opt = makeOptimizer(traj.optimizer, params, { lr: 123 });
            opt.loadStateDict(saved);
          }
          traj.names.forEach((n, i) => (params[i].grad = unpackTensor(step.grads[n]!, traj.shapes[n])));
          opt.step();
        });
        return params.map((q) => Array.from(q._data));
      };
      assert.deepEqual(run(true), run(false), name);
    }
  });
});

describe("lr_scheduler (warm restarts, cyclic, chained, polynomial): the lrs PyTorch sets, to the last bit", () => {
  for (const c of fixture.schedulers) {
    it(`${c.name} (${c.steps} steps)`, () => replaySchedule(c));
  }

  it("rejects bad arguments with PyTorch's errors", () => {
    const p = () => [new nn.Parameter(tensor([0, 0]))];
    const sgd = () => new optim.SGD(p(), { lr: 0.1, momentum: 0.9 });
    checkErrors({
      "CosineAnnealingWarmRestarts T_0 0": () => new S.CosineAnnealingWarmRestarts(sgd(), 0),
      "CosineAnnealingWarmRestarts T_0 2.5": () => new S.CosineAnnealingWarmRestarts(sgd(), 2.5),
      "CosineAnnealingWarmRestarts T_mult 0": () => new S.CosineAnnealingWarmRestarts(sgd(), 2, { tMult: 0 }),
      "CosineAnnealingWarmRestarts epoch -1": () => new S.CosineAnnealingWarmRestarts(sgd(), 2).step(-1),
      "CyclicLR mode": () => new S.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1, mode: "cosine" as "triangular" }),
      "CyclicLR Adam momentum": () => new S.CyclicLR(new optim.Adam(p()), { baseLr: 0.01, maxLr: 0.1 }),
      "CyclicLR base_lr count": () => new S.CyclicLR(sgd(), { baseLr: [0.01, 0.02], maxLr: 0.1 }),
      "ChainedScheduler optimizers": () => new S.ChainedScheduler([new S.StepLR(sgd(), 2), new S.StepLR(sgd(), 3)]),
    });
  });

  it("CosineAnnealingWarmRestarts.step(epoch) sets the schedule without the deprecation warning step(epoch) gives elsewhere", () => {
    const warnings: string[] = [];
    setRecorder({ onTensor() {}, onModified() {}, onBackward() {}, onWarning: (m) => warnings.push(m) });
    try {
      const o = new optim.SGD([new nn.Parameter(tensor([1.5, 2.5]))], { lr: 0.1 });
      const s = new S.CosineAnnealingWarmRestarts(o, 4);
      o.step();
      s.step(2.5);
      new S.PolynomialLR(o).step(3);
    } finally {
      setRecorder(null);
    }
    assert.equal(warnings.filter((w) => w.startsWith("The epoch parameter in `scheduler.step()`")).length, 1, warnings.join("\n"));
  });
});

function checkErrors(cases: Record<string, () => unknown>): void {
  for (const [name, fn] of Object.entries(cases)) {
    const expected = fixture.errors[name];
    assert.throws(fn, (e: Error) => {
      assert.equal(e.name, expected.type, `${name}: error type`);
      assert.equal(e.message, expected.message, `${name}: message`);
      return true;
    }, name);
  }
}
