/** Learning-rate schedulers made from a fixture's spec and stepped as PyTorch stepped them, checked after each step. */
import { strict as assert } from "node:assert";
import { nn, optim, tensor } from "../../../src/engine";
import { pyPow } from "../../../src/engine/random/libm_pow";

const S = optim.lr_scheduler;

export interface SchedulerSpec {
  type: string;
  [key: string]: unknown;
}

export interface SchedulerCase {
  name: string;
  groups: number[];
  optimizer: "SGD" | "Adam";
  steps: number;
  /** ReduceLROnPlateau's metric per step. */
  metrics?: number[] | null;
  /** step(epoch) per step; null: step(). */
  epochs: Array<number | null> | null;
  spec: SchedulerSpec;
  record: Array<{ lr: number[]; momentum?: number[]; beta1?: number[]; lastLr?: number[] }>;
}

type AnyScheduler = { step(arg?: number): void; getLastLr(): number[] };

/** The fixtures' Python lambdas, computed as Python computes them (its ** is glibc's pow). */
const LAMBDAS: Record<string, (e: number) => number> = {
  "0.95 ** e": (e) => pyPow(0.95, e),
  "1 / (e + 1)": (e) => 1 / (e + 1),
  "0.5 * e + 1": (e) => 0.5 * e + 1,
  "0.97": () => 0.97,
  "0.5 ** x": (x) => pyPow(0.5, x),
  "1 / (x + 1)": (x) => 1 / (x + 1),
};

function make(spec: SchedulerSpec, opt: optim.Optimizer): AnyScheduler {
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
      return new S.SequentialLR(opt, (o.schedulers as SchedulerSpec[]).map((s) => make(s, opt) as optim.lr_scheduler.LRScheduler), o.milestones as number[]);
    case "CosineAnnealingWarmRestarts":
      return new S.CosineAnnealingWarmRestarts(opt, o.t0 as number, o);
    case "CyclicLR":
      return new S.CyclicLR(opt, { ...(o as unknown as optim.lr_scheduler.CyclicLROptions), scaleFn: o.scaleFn ? LAMBDAS[o.scaleFn as string] : undefined });
    case "ChainedScheduler":
      return new S.ChainedScheduler((o.schedulers as SchedulerSpec[]).map((s) => make(s, opt) as optim.lr_scheduler.LRScheduler));
    case "PolynomialLR":
      return new S.PolynomialLR(opt, o);
    default:
      throw new Error(`unknown scheduler ${type}`);
  }
}

/** Builds the case's optimizer and scheduler, steps both as PyTorch did, and compares every group's lr (and momentum,
 * beta1, getLastLr() where recorded) after construction and after each step. */
export function replaySchedule(c: SchedulerCase): void {
  const groups = c.groups.map((lr) => ({ params: [new nn.Parameter(tensor([0, 0]))], lr }));
  const opt = c.optimizer === "SGD" ? new optim.SGD(groups, { momentum: 0.9 }) : new optim.Adam(groups);
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
    const epoch = c.epochs?.[i];
    if (c.metrics) sched.step(c.metrics[i]);
    else if (epoch !== undefined && epoch !== null) sched.step(epoch);
    else sched.step();
    check(i + 1);
  }
}
