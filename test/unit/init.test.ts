/**
 * nn.init against PyTorch 1.13 after the same manualSeed: every function's values bit for bit (orthogonal_ within
 * 2e-6 of LAPACK's float Q: see src/engine/nn/init_math.ts), and the next
 * random numbers (so each function draws exactly as many as PyTorch's). Fixtures: scripts/fixtures/init_fixtures.py
 * → test/fixtures/init.json.
 */
import { strict as assert } from "node:assert";
import { empty, manualSeed, nn, rand, type Tensor } from "../../src/engine";
import { erfinvFloat } from "../../src/engine/nn/init_math";
import { loadFixture } from "./helpers/compare";
import { maxUlp, unpack } from "./helpers/packed";

const init = nn.init;

interface InitCase {
  fn: string;
  shape: number[];
  dtype: "float32" | "float64";
  kwargs: Record<string, number | string>;
  seed: number;
  values: string;
  next: string;
}

interface Fixture {
  cases: InitCase[];
  gains: Array<{ nonlinearity: nn.init.Nonlinearity; param: number | null; gain: number }>;
  fans: Array<{ shape: number[]; fans: [number, number] }>;
  erfinv: { y: string; erfinv: string };
  errors: Record<string, { type: string; message: string }>;
}

const fixture = loadFixture<Fixture>("init.json");

function call(c: InitCase, t: Tensor): void {
  const k = c.kwargs as Record<string, never>;
  switch (c.fn) {
    case "uniform_":
      init.uniform_(t, k.a, k.b);
      break;
    case "normal_":
      init.normal_(t, k.mean, k.std);
      break;
    case "constant_":
      init.constant_(t, k.val);
      break;
    case "ones_":
      init.ones_(t);
      break;
    case "zeros_":
      init.zeros_(t);
      break;
    case "eye_":
      init.eye_(t);
      break;
    case "dirac_":
      init.dirac_(t, k.groups);
      break;
    case "xavier_uniform_":
      init.xavierUniform_(t, k.gain);
      break;
    case "xavier_normal_":
      init.xavierNormal_(t, k.gain);
      break;
    case "kaiming_uniform_":
      init.kaimingUniform_(t, { a: k.a, mode: k.mode, nonlinearity: k.nonlinearity });
      break;
    case "kaiming_normal_":
      init.kaimingNormal_(t, k.a, k.mode, k.nonlinearity);
      break;
    case "orthogonal_":
      init.orthogonal_(t, k.gain);
      break;
    case "trunc_normal_":
      init.truncNormal_(t, k.mean, k.std, k.a, k.b);
      break;
    case "sparse_":
      init.sparse_(t, k.sparsity, k.std);
      break;
    default:
      throw new Error(`unknown init ${c.fn}`);
  }
}

describe("nn.init: PyTorch's values after manualSeed", () => {
  for (const c of fixture.cases) {
    it(`${c.fn}(${JSON.stringify(c.kwargs)}) on [${c.shape}] ${c.dtype}`, () => {
      manualSeed(c.seed);
      const t = new nn.Parameter(empty(c.shape, { dtype: c.dtype }));
      call(c, t);
      const expected = unpack(c.values);
      if (c.fn === "orthogonal_") {
        const worst = Math.max(...Array.from(expected, (e, i) => Math.abs(e - t._data[i])));
        assert.ok(worst <= (c.dtype === "float32" ? 2e-6 : 1e-14), `largest difference from LAPACK's Q: ${worst}`);
      } else {
        const ulp = maxUlp(t._data, expected, c.dtype);
        assert.equal(ulp, 0, `${ulp} ulp from PyTorch`);
      }
      assert.deepEqual(Array.from(rand(3)._data), Array.from(unpack(c.next)), "the numbers drawn after it");
      assert.ok(t.requiresGrad && t.isLeaf, "still a leaf parameter that requires grad");
    });
  }

  it("calculateGain for every nonlinearity", () => {
    for (const g of fixture.gains) assert.equal(init.calculateGain(g.nonlinearity, g.param), g.gain, `${g.nonlinearity}(${g.param})`);
  });

  it("calculateFanInAndFanOut", () => {
    for (const f of fixture.fans) assert.deepEqual(init.calculateFanInAndFanOut(empty(f.shape)), f.fans, `[${f.shape}]`);
  });

  it("erfinv (float32), the inverse CDF of truncNormal_, bit for bit on 4,000 values across (-1, 1)", () => {
    const y = unpack(fixture.erfinv.y);
    const e = unpack(fixture.erfinv.erfinv);
    for (let i = 0; i < y.length; i++) assert.equal(erfinvFloat(y[i]), e[i], `erfinv(${y[i]})`);
  });

  it("rejects what PyTorch rejects, with its messages", () => {
    const cases: Record<string, () => unknown> = {
      "gain unknown": () => init.calculateGain("swish" as nn.init.Nonlinearity),
      "gain bad slope": () => init.calculateGain("leaky_relu", true as unknown as number),
      "fan of 1-D": () => init.xavierUniform_(empty(3)),
      "kaiming mode": () => init.kaimingUniform_(empty(3, 4), { mode: "fan_avg" as "fan_in" }),
      "eye_ 3-D": () => init.eye_(empty(2, 2, 2)),
      "orthogonal_ 1-D": () => init.orthogonal_(empty(3)),
      "dirac_ 2-D": () => init.dirac_(empty(3, 3)),
      "dirac_ groups": () => init.dirac_(empty(5, 2, 3), 2),
    };
    for (const [name, fn] of Object.entries(cases)) {
      const e = fixture.errors[name];
      assert.throws(fn, (err: Error) => {
        assert.equal(err.name, e.type, `${name}: type`);
        assert.equal(err.message, e.message, `${name}: message`);
        return true;
      }, name);
    }
  });
});
