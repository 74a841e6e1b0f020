/**
 * The Module API against PyTorch 1.13 (scripts/fixtures/module_fixtures.py): the same model built in both, then its
 * printed tree, the names and order of its parameters, buffers, modules and state dict, load_state_dict's messages,
 * and forward pre-hooks, forward hooks and full backward hooks with their values.
 */
import { strict as assert } from "node:assert";
import * as gl from "../../src/engine";
import { type Tensor, nn, ones, tensor, zeros } from "../../src/engine";
import { assertClose, loadFixture } from "./helpers/compare";

interface ModuleFixture {
  repr: string;
  namedParameters: string[];
  namedBuffers: string[];
  namedModules: string[];
  namedChildren: string[];
  stateDictKeys: string[];
  seqSliceRepr: string;
  seqLastRepr: string;
  parameterListRepr: string;
  emptySequential: string;
  errors: { strict: string; matched: string; loose: string; weightAfter: number[]; moduleListForward: string };
  hooks: Record<string, number[] | string | Array<number[] | null>>;
}

const fixture = loadFixture<ModuleFixture>("module.json");

class Net extends nn.Module {
  fc1 = new nn.Linear(4, 3);
  act = new nn.ReLU();
  declare mask: Tensor;
  blocks: nn.ModuleList;
  heads: nn.ModuleDict;
  extra: nn.ParameterList;
  scale: nn.Parameter;
  seq: nn.Sequential;

  constructor() {
    super();
    this.registerBuffer("mask", ones(3));
    this.registerBuffer("scratch", zeros(2), { persistent: false });
    this.blocks = new nn.ModuleList([new nn.Linear(3, 3), new nn.Tanh()]);
    this.heads = new nn.ModuleDict({ a: new nn.Linear(3, 2), b: new nn.Linear(3, 1) });
    this.extra = new nn.ParameterList([new nn.Parameter(zeros(2, 3)), new nn.Parameter(zeros(5))]);
    this.scale = new nn.Parameter(ones(1));
    this.seq = new nn.Sequential(new nn.Linear(3, 3), new nn.Sigmoid());
  }

  forward(x: Tensor): Tensor {
    let h = this.act(this.fc1(x)).mul(this.mask);
    for (const b of this.blocks) h = (b as nn.Linear)(h);
    h = this.seq(h);
    return (this.heads.get("a") as nn.Linear)(h).mul(this.scale);
  }
}

describe("nn.Module against PyTorch 1.13", () => {
  const net = new Net();

  it("prints the module tree as PyTorch does", () => {
    assert.equal(String(net), fixture.repr);
    assert.equal(String(net.seq.slice(1)), fixture.seqSliceRepr);
    assert.equal(String(net.seq.get(-1)), fixture.seqLastRepr);
    assert.equal(String(new nn.Sequential()), fixture.emptySequential);
  });

  it("names and orders parameters, buffers, modules and the state dict as PyTorch does", () => {
    assert.deepEqual(net.namedParameters().map(([n]) => n), fixture.namedParameters);
    assert.deepEqual(net.namedBuffers().map(([n]) => n), fixture.namedBuffers);
    assert.deepEqual(net.namedModules().map(([n]) => n), fixture.namedModules);
    assert.deepEqual(net.namedChildren().map(([n]) => n), fixture.namedChildren);
    assert.deepEqual(Object.keys(net.stateDict()), fixture.stateDictKeys);
  });

  it("is callable, with its forward's types, and `call` and `forward` still work", () => {
    const x = gl.randn(2, 4);
    const viaCall = net(x);
    assert.deepEqual(viaCall.shape, [2, 2]);
    assert.deepEqual(net.call(x).tolist(), viaCall.tolist());
    assert.deepEqual(net.forward(x).tolist(), viaCall.tolist());
    assert.ok(net instanceof Net && net instanceof nn.Module);
  });

  it("loadStateDict: PyTorch's messages, strict and not", () => {
    const m = new nn.Linear(2, 3);
    assert.throws(() => m.loadStateDict({ weight: ones(4, 4), foo: ones(1) }), (e: Error) => e.message === fixture.errors.strict);
    assert.equal(String(m.loadStateDict({ weight: ones(3, 2), bias: ones(3) })), fixture.errors.matched);
    assert.equal(String(m.loadStateDict({ weight: gl.full([3, 2], 2), x: ones(3) }, false)), fixture.errors.loose);
    assert.deepEqual(m.weight.reshape(-1).tolist(), fixture.errors.weightAfter);
    assert.throws(() => new nn.ModuleList([new nn.Linear(1, 1)]).forward(), (e: Error) => e.message === fixture.errors.moduleListForward);
  });

  it("the state dict shares values with the module and is detached", () => {
    const m = new nn.Linear(2, 2);
    const sd = m.stateDict();
    assert.equal(sd.weight.requiresGrad, false);
    sd.weight.fill_(3);
    assert.deepEqual(m.weight.reshape(-1).tolist(), [3, 3, 3, 3]);
  });

  it("hooks: a pre-hook replaces the input, a forward hook the output, a full backward hook the input's gradient", () => {
    const h = fixture.hooks;
    const lin = new nn.Linear(3, 2);
    gl.noGrad(() => {
      lin.weight.copy_(tensor(h.weight as number[]).reshape(2, 3));
      lin.bias!.copy_(tensor(h.bias as number[]));
    });
    const seen: { gradInput?: Array<Tensor | null>; gradOutput?: Array<Tensor | null> } = {};
    lin.registerForwardPreHook((_m, inputs) => [(inputs[0] as Tensor).mul(2)]);
    lin.registerForwardHook((_m, _inputs, output) => (output as Tensor).add(1));
    lin.registerFullBackwardHook((_m, gradInput, gradOutput) => {
      seen.gradInput = gradInput;
      seen.gradOutput = gradOutput;
      return gradInput.map((g) => (g ? g.mul(0.5) : null));
    });
    const x = tensor(h.x as number[]).reshape(4, 3).requiresGrad_();
    const y = lin(x);
    assert.equal(y.gradFn?.name, h.yGradFn);
    assertClose(y, h.y as number[], false, "y");
    y.mul(tensor(h.w as number[]).reshape(4, 2)).sum().backward();
    assertClose(seen.gradOutput![0]!, (h.gradOutput as number[][])[0], false, "grad_output");
    assertClose(seen.gradInput![0]!, (h.gradInput as number[][])[0], false, "grad_input");
    assertClose(x.grad!, h.xGrad as number[], false, "x.grad (halved by the hook)");
    assertClose(lin.weight.grad!, h.weightGrad as number[], false, "weight.grad (not touched by the hook)");
  });

  it("a new module is in training mode, as PyTorch's are", () => {
    assert.equal(new nn.Linear(2, 2).training, true);
    assert.equal(new Net().training, true);
    assert.deepEqual(new Net().modules().map((m) => m.training), new Net().modules().map(() => true));
  });

  it("a removed hook no longer runs; train()/eval() reach every submodule; apply visits children first", () => {
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    let calls = 0;
    const handle = m.registerForwardHook(() => void calls++);
    m(gl.randn(1, 2));
    handle.remove();
    m(gl.randn(1, 2));
    assert.equal(calls, 1);
    m.eval();
    assert.deepEqual(m.modules().map((c) => c.training), [false, false, false]);
    m.train();
    assert.deepEqual(m.modules().map((c) => c.training), [true, true, true]);
    const order: string[] = [];
    m.apply((c) => void order.push(c.constructor.name));
    assert.deepEqual(order, ["Linear", "ReLU", "Sequential"]);
  });

  it("double() converts parameters in place, keeping the same Parameter objects", () => {
    const m = new nn.Linear(2, 2);
    const w = m.weight;
    m.double();
    assert.equal(m.weight, w);
    assert.equal(m.weight.dtype, "float64");
    assert.equal(m(gl.randn(1, 2, { dtype: "float64" })).dtype, "float64");
  });

  it("a module field named `name` or `length` is an ordinary field", () => {
    class Named extends nn.Module {
      override name = "encoder";
      override length = 3;
      forward(x: Tensor): Tensor {
        return x;
      }
    }
    const n = new Named();
    assert.equal(n.name, "encoder");
    assert.equal(n.length, 3);
  });
});
