/**
 * Devices as PyTorch 1.13 has them on a machine without CUDA: `device()` prints as torch.device does, every tensor is on
 * the CPU, `.to("cpu")` / `.cpu()` / `model.to("cpu")` give the same object, creators take `{ device: "cpu" }`, and
 * asking for CUDA gives PyTorch's AssertionError (test/fixtures/device.json, from scripts/fixtures/device_fixtures.py).
 * Tutorials write `x.to(device)` with `device = "cuda" if torch.cuda.is_available() else "cpu"`.
 */
import { strict as assert } from "node:assert";
import { inspect } from "node:util";
import { cuda, device, float64, nn, tensor, zeros } from "../../src/engine";
import { loadFixture } from "./helpers/compare";

interface Fixture {
  repr: Record<string, string>;
  str: Record<string, string>;
  type: string;
  index: number;
  cudaAvailable: boolean;
  deviceCount: number;
  toCpuDtype: string;
  zerosOnCpu: string;
  errors: Record<string, { type: string; message: string }>;
}

const fx = loadFixture<Fixture>("device.json");

function throwsLike(f: () => unknown, expected: { type: string; message: string }): void {
  assert.throws(f, (e: Error) => e.name === expected.type && e.message === expected.message);
}

describe("devices: the CPU, as PyTorch without CUDA", () => {
  const x = tensor([1, 2]);

  it("torch.device prints and reads as PyTorch's", () => {
    assert.equal(inspect(device("cpu")), fx.repr.cpu);
    assert.equal(inspect(device("cuda:1")), fx.repr["cuda:1"]);
    assert.equal(inspect(device("cuda", 1)), fx.repr["cuda, 1"]);
    assert.equal(inspect(x.device), fx.repr["x.device"]);
    assert.equal(String(device("cpu")), fx.str.cpu);
    assert.equal(`${device("cuda:1")}`, fx.str["cuda:1"]);
    assert.equal(device("cuda:1").type, fx.type);
    assert.equal(device("cuda:1").index, fx.index);
  });

  it("cuda.isAvailable() and deviceCount() say there is no CUDA", () => {
    assert.equal(cuda.isAvailable(), fx.cudaAvailable);
    assert.equal(cuda.deviceCount(), fx.deviceCount);
  });

  it("to(\"cpu\"), to(device(\"cpu\")), cpu() and model.to(\"cpu\") return the same object; to(device, dtype) casts", () => {
    assert.equal(x.to("cpu"), x);
    assert.equal(x.to(device("cpu")), x);
    assert.equal(x.cpu(), x);
    const model = new nn.Linear(2, 1);
    assert.equal(model.to("cpu"), model);
    assert.equal(`torch.${x.to("cpu", float64).dtype}`, fx.toCpuDtype);
    assert.equal(x.to({ device: "cpu", dtype: float64 }).dtype, "float64");
    assert.equal(inspect(zeros([2], { device: "cpu" })), fx.zerosOnCpu);
    assert.equal(x.isCuda, false);
  });

  it("CUDA gives PyTorch's error, and an unknown device string its message", () => {
    throwsLike(() => x.to("cuda"), fx.errors["to cuda"]);
    throwsLike(() => x.cuda(), fx.errors["cuda()"]);
    throwsLike(() => zeros([2], { device: "cuda" }), fx.errors["zeros on cuda"]);
    throwsLike(() => new nn.Linear(2, 1).to("cuda"), fx.errors["module to cuda"]);
    throwsLike(() => device("foo"), fx.errors["device foo"]);
  });

  it("dtype names as PyTorch's objects: { dtype: float64 }", () => {
    assert.equal(tensor([1], { dtype: float64 }).dtype, "float64");
  });
});
