/**
 * Optimizers against PyTorch 1.13's own trajectories, bit for bit: each step is fed the gradients PyTorch computed
 * and must leave the parameters exactly where PyTorch's step left them. LBFGS's closure must be called at PyTorch's
 * exact points. Fixtures: scripts/fixtures/optim_fixtures.py → test/fixtures/optim.json.
 */
import { strict as assert } from "node:assert";
import { F, manualSeed, nn, optim, randn, type Tensor } from "../../src/engine";
import { absMax, blasDot, torchNorm2, torchSum } from "../../src/engine/optim/reductions";
import { loadFixture } from "./helpers/compare";
import { maxUlp, type Packed, unpack, unpackParameter, unpackTensor } from "./helpers/packed";

type FloatDType = "float32" | "float64";

interface Trajectory {
  name: string;
  optimizer: string;
  options: Record<string, unknown>;
  dtype: FloatDType;
  groups: Array<{ params: string[]; options: Record<string, unknown> }> | null;
  names: string[];
  shapes: Record<string, number[]>;
  initial: Record<string, Packed>;
  steps: Array<{ loss: number; grads: Record<string, Packed | null>; params: Record<string, Packed> }>;
  stateKeys: string[];
}

interface LbfgsCase {
  name: string;
  options: Record<string, unknown>;
  dtype: FloatDType;
  names: string[];
  shapes: Record<string, number[]>;
  initial: Record<string, Packed>;
  evaluations: Array<{ at: Record<string, Packed>; loss: number; grads: Record<string, Packed> }>;
  steps: Array<{ loss: number; evaluations: number; params: Record<string, Packed>; funcEvals: number; nIter: number }>;
}

interface Fixture {
  trajectories: Trajectory[];
  lbfgs: LbfgsCase[];
  reductions: Array<{ x: Packed; y: Packed; dot: number; absSum: number; norm: number; absMax: number }>;
  errors: Record<string, { type: string; message: string }>;
  reprs: Record<string, string>;
}

const fixture = loadFixture<Fixture>("optim.json");

type OptimizerClass = new (params: never, options?: never) => optim.Optimizer;
const CLASSES: Record<string, OptimizerClass> = {
  SGD: optim.SGD, Adam: optim.Adam, AdamW: optim.AdamW, RMSprop: optim.RMSprop, Adagrad: optim.Adagrad,
  Adadelta: optim.Adadelta, Adamax: optim.Adamax, NAdam: optim.NAdam, RAdam: optim.RAdam,
} as unknown as Record<string, OptimizerClass>;

function makeOptimizer(name: string, params: unknown, options: Record<string, unknown>): optim.Optimizer {
  return new CLASSES[name](params as never, options as never);
}

/** PyTorch's state names, as the engine spells them. */
const STATE_NAMES: Record<string, string> = {
  step: "step", exp_avg: "expAvg", exp_avg_sq: "expAvgSq", max_exp_avg_sq: "maxExpAvgSq", momentum_buffer: "momentumBuffer",
  square_avg: "squareAvg", grad_avg: "gradAvg", sum: "sum", acc_delta: "accDelta", exp_inf: "expInf", mu_product: "muProduct",
};

describe("optimizers: trajectories equal PyTorch's, bit for bit", () => {
  for (const c of fixture.trajectories) {
    it(`${c.name} (${c.dtype}, ${c.steps.length} steps)`, () => {
      const params = new Map(c.names.map((n) => [n, unpackParameter(c.initial[n], c.shapes[n])]));
      const spec = c.groups
        ? c.groups.map((g) => ({ params: g.params.map((n) => params.get(n)!), ...g.options }))
        : [...params.values()];
      const opt = makeOptimizer(c.optimizer, spec, c.options);
      c.steps.forEach((step, k) => {
        for (const n of c.names) {
          const g = step.grads[n];
          params.get(n)!.grad = g === null ? null : unpackTensor(g, c.shapes[n]);
        }
        opt.step();
        for (const n of c.names) {
          const expected = unpack(step.params[n]);
          const actual = params.get(n)!._data;
          const ulp = maxUlp(actual, expected, c.dtype);
          assert.equal(ulp, 0, `step ${k + 1}, ${n}: ${ulp} ulp from PyTorch (first values ${Array.from(actual.slice(0, 3))} vs ${Array.from(expected.slice(0, 3))})`);
        }
      });
      const keys = new Set<string>();
      for (const s of opt.state.values()) for (const k of Object.keys(s)) keys.add(k);
      assert.deepEqual([...keys].sort(), c.stateKeys.map((k) => STATE_NAMES[k]).sort(), "state entries");
    });
  }
});

describe("optimizers: LBFGS calls its closure at PyTorch's exact points", () => {
  for (const c of fixture.lbfgs) {
    it(`${c.name} (${c.dtype})`, () => {
      const params = c.names.map((n) => unpackParameter(c.initial[n], c.shapes[n]));
      const opt = new optim.LBFGS(params, c.options as optim.LBFGSOptions);
      let calls = 0;
      const closure = (): Tensor => {
        const e = c.evaluations[calls];
        assert.ok(e, `closure called ${calls + 1} times, PyTorch called it ${c.evaluations.length} times`);
        c.names.forEach((n, i) => {
          const ulp = maxUlp(params[i]._data, unpack(e.at[n]), c.dtype);
          assert.equal(ulp, 0, `evaluation ${calls + 1}: ${n} is ${ulp} ulp from where PyTorch evaluated`);
        });
        opt.zeroGrad();
        c.names.forEach((n, i) => (params[i].grad = unpackTensor(e.grads[n], c.shapes[n])));
        calls++;
        return unpackTensor(Float64ToPacked(e.loss, c.dtype), []);
      };
      for (const step of c.steps) {
        const loss = opt.step(closure);
        assert.equal(Number(loss), step.loss, "step() returns the first loss");
        assert.equal(calls, step.evaluations, "closure evaluations so far");
        c.names.forEach((n, i) => assert.equal(maxUlp(params[i]._data, unpack(step.params[n]), c.dtype), 0, `${n} after the step`));
        const state = opt.state.get(params[0])!;
        assert.equal(state.funcEvals, step.funcEvals);
        assert.equal(state.nIter, step.nIter);
      }
    });
  }
});

function Float64ToPacked(v: number, dtype: FloatDType): Packed {
  const arr = dtype === "float32" ? Float32Array.of(v) : Float64Array.of(v);
  return `${dtype === "float32" ? "f32" : "f64"}:${Buffer.from(arr.buffer).toString("base64")}`;
}

describe("optimizers: reductions LBFGS and clipGradNorm_ rest on", () => {
  it("dot (OpenBLAS), sum (cascade), norm and abs-max equal PyTorch's for sizes 1..1031, float32 and float64", () => {
    for (const r of fixture.reductions) {
      const x = unpack(r.x);
      const y = unpack(r.y);
      const n = `${x.length} (${x instanceof Float32Array ? "float32" : "float64"})`;
      assert.equal(blasDot(x, y), r.dot, `dot, n=${n}`);
      assert.equal(torchSum(x.map(Math.abs)), r.absSum, `abs().sum(), n=${n}`);
      assert.equal(torchNorm2(x), r.norm, `norm, n=${n}`);
      assert.equal(absMax(x), r.absMax, `abs().max(), n=${n}`);
    }
  });
});

describe("optimizers: API", () => {
  const p = () => new nn.Parameter(unpackTensor("f32:AACAPwAAAEA=", [2]));

  it("rejects bad arguments with PyTorch's errors", () => {
    const q = [p()];
    const cases: Record<string, () => unknown> = {
      "SGD lr -0.1": () => new optim.SGD(q, { lr: -0.1 }),
      "SGD momentum -1": () => new optim.SGD(q, { lr: 0.1, momentum: -1 }),
      "SGD weight_decay -0.5": () => new optim.SGD(q, { lr: 0.1, weightDecay: -0.5 }),
      "SGD nesterov without momentum": () => new optim.SGD(q, { lr: 0.1, nesterov: true }),
      "SGD without lr": () => new optim.SGD(q),
      "SGD empty": () => new optim.SGD([], { lr: 0.1 }),
      "SGD tensor": () => new optim.SGD(q[0] as never, { lr: 0.1 }),
      "SGD non-leaf": () => new optim.SGD([q[0].mul(2)], { lr: 0.1 }),
      "SGD same param twice in groups": () => new optim.SGD([{ params: q }, { params: q }], { lr: 0.1 }),
      "Adam lr -1": () => new optim.Adam(q, { lr: -1 }),
      "Adam eps -1e-8": () => new optim.Adam(q, { eps: -1e-8 }),
      "Adam beta0 1.0": () => new optim.Adam(q, { betas: [1.0, 0.999] }),
      "Adam beta1 -0.1": () => new optim.Adam(q, { betas: [0.9, -0.1] }),
      "Adam weight_decay -1": () => new optim.Adam(q, { weightDecay: -1 }),
      "AdamW beta0 1.5": () => new optim.AdamW(q, { betas: [1.5, 0.999] }),
      "RMSprop alpha -0.5": () => new optim.RMSprop(q, { alpha: -0.5 }),
      "RMSprop momentum -0.5": () => new optim.RMSprop(q, { momentum: -0.5 }),
      "Adagrad lr_decay -1": () => new optim.Adagrad(q, { lrDecay: -1 }),
      "Adagrad initial_accumulator_value -1": () => new optim.Adagrad(q, { initialAccumulatorValue: -1 }),
      "Adadelta rho 1.5": () => new optim.Adadelta(q, { rho: 1.5 }),
      "Adamax eps -1": () => new optim.Adamax(q, { eps: -1 }),
      "NAdam momentum_decay -1": () => new optim.NAdam(q, { momentumDecay: -1 }),
      "RAdam beta0 -0.5": () => new optim.RAdam(q, { betas: [-0.5, 0.9] }),
      "LBFGS groups": () => new optim.LBFGS([{ params: q }, { params: [p()] }]),
      "load_state_dict group count": () => new optim.SGD(q, { lr: 0.1 }).loadStateDict({ state: {}, paramGroups: [] }),
    };
    for (const [name, make] of Object.entries(cases)) {
      const expected = fixture.errors[name];
      assert.throws(make, (e: Error) => {
        assert.equal(e.name, expected.type, `${name}: error type`);
        assert.equal(e.message, expected.message, `${name}: message`);
        return true;
      }, name);
    }
  });

  it("prints as PyTorch prints an optimizer", () => {
    const q = [p()];
    const made: Record<string, optim.Optimizer> = {
      SGD: new optim.SGD(q, { lr: 0.1 }),
      "SGD momentum nesterov groups": new optim.SGD([{ params: q }, { params: [p()], lr: 0.5 }], { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
      Adam: new optim.Adam(q),
      "AdamW amsgrad": new optim.AdamW(q, { lr: 0.003, amsgrad: true }),
      RMSprop: new optim.RMSprop(q),
      Adagrad: new optim.Adagrad(q),
      Adadelta: new optim.Adadelta(q),
      Adamax: new optim.Adamax(q),
      NAdam: new optim.NAdam(q),
      RAdam: new optim.RAdam(q),
      LBFGS: new optim.LBFGS(q),
    };
    for (const [name, opt] of Object.entries(made)) assert.equal(opt.toString(), fixture.reprs[name], name);
  });

  it("zeroGrad zeroes in place by default (PyTorch 1.13), or sets to null with {setToNone: true}", () => {
    const w = p();
    const opt = new optim.SGD([w], { lr: 0.1 });
    w.mul(3).sum().backward();
    const g = w.grad!;
    opt.zeroGrad();
    assert.equal(w.grad, g, "same tensor, zeroed in place");
    assert.deepEqual(Array.from(g._data), [0, 0]);
    opt.zeroGrad({ setToNone: true });
    assert.equal(w.grad, null);
  });

  it("addParamGroup takes the defaults for options it does not give, and refuses a parameter already there", () => {
    const a = p();
    const b = p();
    const opt = new optim.Adam([a], { lr: 0.05 });
    opt.addParamGroup({ params: [b], betas: [0.5, 0.6] });
    assert.equal(opt.paramGroups.length, 2);
    assert.equal(opt.paramGroups[1].lr, 0.05);
    assert.deepEqual(opt.paramGroups[1].betas, [0.5, 0.6]);
    assert.throws(() => opt.addParamGroup({ params: a }), /some parameters appear in more than one parameter group/);
  });

  it("stateDict / loadStateDict: a copy resumes exactly where the original goes", () => {
    const traj = fixture.trajectories.find((t) => t.name === "Adam amsgrad")!;
    const run = (split: boolean): Float32Array[] => {
      const params = traj.names.map((n) => unpackParameter(traj.initial[n], traj.shapes[n]));
      let opt = new optim.Adam(params, traj.options);
      traj.steps.forEach((step, k) => {
        if (split && k === 7) {
          const saved = opt.stateDict();
          opt = new optim.Adam(params, { lr: 123 });
          opt.loadStateDict(saved);
          assert.equal(opt.paramGroups[0].lr, 0.01, "the groups' options come from the state dict");
        }
        traj.names.forEach((n, i) => (params[i].grad = unpackTensor(step.grads[n]!, traj.shapes[n])));
        opt.step();
      });
      return params.map((q) => q._data as Float32Array);
    };
    assert.deepEqual(run(true), run(false));
  });

  it("step(closure) evaluates the closure with grad enabled and returns its loss", () => {
    const w = p();
    const opt = new optim.SGD([w], { lr: 0.5 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = w.mul(w).sum();
      l.backward();
      return l;
    });
    assert.equal(Number(loss), 5);
    assert.deepEqual(Array.from(w._data), [0, 0]);
  });
});

describe("optimizers: end to end, with the engine's own forward and backward", () => {
  interface EndToEnd {
    optimizer: "SGD" | "Adam";
    options: Record<string, number>;
    losses: number[];
    params: Packed[];
  }
  const cases = loadFixture<{ endToEnd: EndToEnd[] }>("optim.json").endToEnd;
  for (const c of cases) {
    it(`${c.optimizer} trains nn.Linear(5, 4), tanh, nn.Linear(4, 3) after manualSeed(0) to PyTorch's parameters (float32 rounding)`, () => {
      manualSeed(0);
      const model = new nn.Sequential(new nn.Linear(5, 4), new nn.Tanh(), new nn.Linear(4, 3));
      const x = randn(8, 5);
      const y = randn(8, 3);
      const opt = makeOptimizer(c.optimizer, model.parameters(), c.options);
      const losses: number[] = [];
      for (let k = 0; k < 20; k++) {
        opt.zeroGrad();
        const loss = F.mseLoss(model.call(x), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      }
      // The gradients come from the engine's matmul, tanh and sums: equal to PyTorch's within float32 rounding, so
      // the parameters drift from PyTorch's by a few ulps over the run, no more.
      model.parameters().forEach((p, i) => {
        const expected = unpack(c.params[i]);
        const worst = Math.max(...Array.from(expected, (e, j) => Math.abs(e - p._data[j]) / Math.max(Math.abs(e), 1e-3)));
        assert.ok(worst < 1e-5, `parameter ${i}: relative difference ${worst}`);
      });
      losses.forEach((l, k) => assert.ok(Math.abs(l - c.losses[k]) <= 1e-6 * Math.abs(c.losses[k]) + 1e-7, `loss at step ${k}: ${l} vs ${c.losses[k]}`));
    });
  }
});
