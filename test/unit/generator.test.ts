/**
 * Generator objects and every random creator's `{ generator }` option against PyTorch 1.13's own draws, bit for
 * bit: makemore's sampling loop, interleaved streams on several generators, normal / bernoulli / multinomial /
 * exponential_, the Generator API, and dropout's mask. Fixtures: scripts/fixtures/generator_fixtures.py →
 * test/fixtures/generator.json.
 */
import { strict as assert } from "node:assert";
import {
  bernoulli, empty, emptyLike, Generator, manualSeed, multinomial, normal, rand, randint, randn, randperm, tensor,
  type Tensor,
} from "../../src/engine";
import { fillDropoutNoise } from "../../src/engine/random";
import { loadFixture } from "./helpers/compare";
import { unpack } from "./helpers/packed";

type Packed = string | number[];
type FloatDType = "float32" | "float64";

interface TensorSpec {
  seed: number;
  shape: number[];
  dtype?: FloatDType;
  kind?: "randn";
  zeros?: number[];
}

interface Call {
  gen: "default" | "g" | "h";
  op: string;
  shape?: number[];
  dtype?: FloatDType;
  low?: number;
  high?: number;
  n?: number;
  from?: number;
  to?: number;
  mean?: number | TensorSpec;
  std?: number | TensorSpec;
  lambd?: number;
  p?: number;
  probs?: TensorSpec;
  replacement?: boolean;
  result: Packed;
  resultShape: number[];
  resultDtype: string;
}

interface Fixture {
  makemore: { C: string; P: string; samples: number[][]; after: string };
  streams: { defaultSeed: number; seeds: Record<"g" | "h", number>; calls: Call[] };
  api: {
    freshInitialSeed: string;
    chained: boolean;
    bigSeeds: Record<string, { initialSeed: string; rand: string }>;
    stateRoundTrip: { a: string; b: string };
  };
  dropout: { x: string; p: number; y: string; noise: string };
  errors: Record<string, { type: string; message: string }>;
}

const fixture = loadFixture<Fixture>("generator.json");

function same(actual: Tensor, expected: Packed, what: string): void {
  const want = typeof expected === "string" ? Array.from(unpack(expected)) : expected;
  const got = Array.from(actual._data as ArrayLike<number>);
  assert.equal(got.length, want.length, `${what}: element count`);
  for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: expected ${want[i]}, got ${got[i]}`);
}

/** The fixture's fixed input tensors, drawn as the Python script draws them. */
function tensorArg(spec: TensorSpec): Tensor {
  const g = new Generator().manualSeed(spec.seed);
  const dtype = spec.dtype ?? "float32";
  let t = rand(spec.shape, { generator: g, dtype });
  if (spec.kind === "randn") t = randn(spec.shape, { generator: g, dtype });
  if (spec.zeros) {
    const last = spec.shape[spec.shape.length - 1];
    for (let i = 0; i < t.numel(); i++) if (spec.zeros.includes(i % last)) t._data[i] = 0;
  }
  return t;
}

function runCall(c: Call, gens: Record<"g" | "h", Generator>): Tensor {
  const generator = c.gen === "default" ? undefined : gens[c.gen];
  const o = { generator, dtype: c.dtype };
  const opts = { generator };
  switch (c.op) {
    case "rand":
      return rand(c.shape!, o);
    case "randn":
      return randn(c.shape!, o);
    case "randint":
      return randint(c.low!, c.high!, c.shape!, opts);
    case "randintHigh":
      return randint(c.high!, c.shape!, opts);
    case "randperm":
      return randperm(c.n!, opts);
    case "uniform_":
      return empty(c.shape!, { dtype: c.dtype }).uniform_(c.from, c.to, opts);
    case "normal_":
      return empty(c.shape!, { dtype: c.dtype }).normal_(c.mean as number, c.std as number, opts);
    case "exponential_":
      return empty(c.shape!, { dtype: c.dtype }).exponential_(c.lambd, opts);
    case "bernoulli_scalar_":
      return empty(c.shape!, { dtype: c.dtype }).bernoulli_(c.p, opts);
    case "bernoulli_tensor_":
      return empty(c.shape!, { dtype: c.dtype }).bernoulli_(tensorArg(c.probs!), opts);
    case "bernoulli":
      return bernoulli(tensorArg(c.probs!), opts);
    case "bernoulliP":
      return tensorArg(c.probs!).bernoulli(c.p, opts);
    case "normalFF":
      return normal(c.mean as number, c.std as number, c.shape!, o);
    case "normalTT":
      return normal(tensorArg(c.mean as TensorSpec), tensorArg(c.std as TensorSpec), opts);
    case "normalTF":
      return normal(tensorArg(c.mean as TensorSpec), c.std as number, opts);
    case "normalFT":
      return normal(c.mean as number, tensorArg(c.std as TensorSpec), opts);
    case "multinomial":
      return multinomial(tensorArg(c.probs!), c.n!, { replacement: c.replacement, generator });
    default:
      throw new Error(`unknown op ${c.op}`);
  }
}

describe("Generator: makemore's sampling, bit for bit", () => {
  it("Generator().manualSeed(2147483647), randn([27, 27]), then multinomial(p, 1, {replacement: true})", () => {
    const m = fixture.makemore;
    const g = new Generator().manualSeed(2147483647);
    const C = randn([27, 27], { generator: g });
    same(C, m.C, "C");
    const P = tensor(Array.from(unpack(m.P))).reshape([27, 27]);
    const rows = P.numel() / 27;
    assert.equal(rows, 27);
    const samples: number[][] = [];
    for (let k = 0; k < m.samples.length; k++) {
      const out: number[] = [];
      let ix = 0;
      for (;;) {
        const p = tensor(Array.from(P._data.subarray(ix * 27, ix * 27 + 27)));
        ix = multinomial(p, 1, { replacement: true, generator: g }).item();
        out.push(ix);
        if (ix === 0 || out.length > 30) break;
      }
      samples.push(out);
    }
    assert.deepEqual(samples, m.samples);
    same(rand(5, { generator: g }), m.after, "the generator's next draws");
  });
});

describe("Generator: interleaved streams equal PyTorch's", () => {
  it("each call draws from its own generator only", () => {
    const s = fixture.streams;
    manualSeed(s.defaultSeed);
    const gens = { g: new Generator().manualSeed(s.seeds.g), h: new Generator().manualSeed(s.seeds.h) };
    s.calls.forEach((c, i) => {
      const what = `call ${i}: ${c.op} on ${c.gen}`;
      const out = runCall(c, gens);
      assert.deepEqual(out.shape, c.resultShape, `${what}: shape`);
      assert.equal(out.dtype, c.resultDtype === "int64" ? "int64" : c.resultDtype, `${what}: dtype`);
      same(out, c.result, what);
    });
  });
});

describe("Generator: API", () => {
  it("a fresh Generator starts at PyTorch's seed; manualSeed is chainable and takes seeds up to 2^64 and negative ones", () => {
    const a = fixture.api;
    assert.equal(new Generator().initialSeed().toString(), a.freshInitialSeed);
    const g = new Generator();
    assert.equal(g.manualSeed(5), g);
    for (const [seed, e] of Object.entries(a.bigSeeds)) {
      const h = new Generator().manualSeed(BigInt(seed));
      assert.equal(h.initialSeed().toString(), e.initialSeed, `initialSeed after manualSeed(${seed})`);
      same(rand(4, { generator: h }), e.rand, `rand after manualSeed(${seed})`);
    }
  });

  it("getState / setState replays the same draws", () => {
    const g = new Generator().manualSeed(3);
    randn(5, { generator: g });
    const state = g.getState();
    same(randn(3, { generator: g }), fixture.api.stateRoundTrip.a, "after getState");
    g.setState(state);
    same(randn(3, { generator: g }), fixture.api.stateRoundTrip.b, "after setState");
  });

  it("seed() reseeds non-deterministically and reports the seed it used", () => {
    const g = new Generator();
    const s = g.seed();
    assert.equal(g.initialSeed(), s);
    const replay = new Generator().manualSeed(s);
    assert.deepEqual(rand(4, { generator: g }).tolist(), rand(4, { generator: replay }).tolist());
  });

  it("empty / emptyLike give zeros of the asked shape and dtype", () => {
    const e = empty(2, 3, { dtype: "float64" });
    assert.deepEqual(e.shape, [2, 3]);
    assert.equal(e.dtype, "float64");
    assert.deepEqual(emptyLike(tensor([[1, 2]])).tolist(), [[0, 0]]);
  });

  it("rejects what PyTorch rejects, with its messages", () => {
    const p = tensor([0.2, 0.3, 0.5]);
    const cases: Record<string, () => unknown> = {
      "multinomial 3-D": () => multinomial(rand(2, 2, 2), 1),
      "multinomial long": () => multinomial(tensor([1, 2], { dtype: "int64" }), 1),
      "multinomial 0 samples": () => multinomial(p, 0),
      "multinomial too many": () => multinomial(p, 4),
      "multinomial negative": () => multinomial(tensor([0.5, -0.1]), 1),
      "multinomial negative replacement": () => multinomial(tensor([0.5, -0.1]), 2, true),
      "multinomial zeros": () => multinomial(tensor([0, 0, 0]), 1),
      "multinomial zeros replacement": () => multinomial(tensor([0, 0, 0]), 2, true),
      "multinomial inf replacement": () => multinomial(tensor([1.0, Infinity]), 2, true),
      "normal negative std": () => normal(tensor([0, 0, 0]), tensor([1.0, -1.0, 1.0])),
      "normal negative float std": () => normal(tensor([0, 0, 0]), -1.0),
      "bernoulli_ p 1.5": () => empty(3).bernoulli_(1.5),
      "exponential_ lambda -1": () => empty(3).exponential_(-1),
      "bernoulli p 1.5": () => bernoulli(tensor([0.5, 1.5])),
    };
    for (const [name, fn] of Object.entries(cases)) {
      const e = fixture.errors[name];
      assert.throws(fn, (err: Error) => {
        assert.equal(err.name, e.type, `${name}: type`);
        assert.equal(err.message, e.message, `${name}: message`);
        return true;
      }, name);
    }
    assert.throws(() => randn(3, { generator: 5 as unknown as Generator }), /argument 'generator' must be torch.Generator, not number/);
  });
});

describe("Generator: dropout's mask for the layers", () => {
  it("fillDropoutNoise: bernoulli_(1 - p), divided by 1 - p, gives F.dropout's output times x", () => {
    const d = fixture.dropout;
    const x = Array.from(unpack(d.x));
    manualSeed(1);
    const noise = new Float32Array(x.length);
    fillDropoutNoise(noise, d.p);
    const y = x.map((v, i) => Math.fround(v * noise[i]));
    assert.deepEqual(y, Array.from(unpack(d.y)));
  });
});
