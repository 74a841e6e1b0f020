/**
 * The engine's random numbers against PyTorch 1.13's own, bit for bit: every stream of calls after
 * torch.manual_seed(seed) (or on a fresh torch.Generator()), nn.Linear's initialisation, and the glibc functions and
 * fused multiply-adds the kernels rest on. Fixtures: scripts/fixtures/random_fixtures.py → test/fixtures/random.json.
 */
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_SEED,
  defaultGenerator,
  fillNormal,
  fillNormalSerial,
  fillRandint,
  fillUniform,
  Generator,
  linearInitBounds,
  randperm,
  resetDefaultGenerator,
} from "../../src/engine/random";
import { fma, fmaf } from "../../src/engine/random/fused";
import { libmCos, libmLog, libmSin } from "../../src/engine/random/libm";

type FloatDType = "float32" | "float64";

interface Digest {
  count: number;
  fnv1a: number;
  head: number[];
  tail: number[];
}

interface Call {
  op: "rand" | "randLike" | "randn" | "uniform" | "normal" | "normalTransposed" | "randint" | "randperm";
  dtype?: FloatDType;
  n?: number;
  shape?: number[];
  from?: number;
  to?: number;
  mean?: number;
  std?: number;
  low?: number;
  high?: number;
  values?: number[];
  digest?: Digest;
}

interface Stream {
  name: string;
  seed: string | null;
  initialSeed: string;
  calls: Call[];
}

interface LinearCase {
  seed: number;
  in: number;
  out: number;
  dtype: FloatDType;
  weightBound: number;
  biasBound: number;
  sameBoundAsDouble: boolean;
  weight: number[];
  bias: number[];
}

interface Fixture {
  facts: { freshGeneratorInitialSeed: string; defaultGeneratorSeedsOfTwoNewProcesses: string[] };
  streams: Stream[];
  linear: LinearCase[];
  libm: Record<"log" | "sin" | "cos", Array<[number, number]>>;
  fma: { double: Array<[number, number, number, number]>; float: Array<[number, number, number, number]> };
  errors: Array<{ call: string; dtype?: FloatDType; args: number[]; message: string }>;
}

// Read directly rather than through helpers/compare, which loads the whole engine: this module stands alone.
const fixture = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "random.json"), "utf8")) as Fixture;

function allocate(dtype: FloatDType | undefined, n: number): Float32Array | Float64Array {
  return dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
}

const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** One fixture call on `gen`, as the engine's tensor code will make it. */
function run(call: Call, gen: Generator): Float32Array | Float64Array {
  switch (call.op) {
    case "rand":
    case "randLike": {
      const out = allocate(call.dtype, call.n ?? numel(call.shape ?? []));
      fillUniform(out, 0, 1, gen);
      return out;
    }
    case "randn": {
      const out = allocate(call.dtype, call.n ?? 0);
      fillNormal(out, 0, 1, gen);
      return out;
    }
    case "uniform": {
      const out = allocate(call.dtype, call.n ?? 0);
      fillUniform(out, call.from ?? 0, call.to ?? 1, gen);
      return out;
    }
    case "normal": {
      const out = allocate(call.dtype, call.n ?? 0);
      fillNormal(out, call.mean ?? 0, call.std ?? 1, gen);
      return out;
    }
    case "normalTransposed": {
      // Not contiguous: PyTorch draws element by element in memory order, which is the base tensor's order.
      const out = allocate(call.dtype, numel(call.shape ?? []));
      fillNormalSerial(out, call.mean ?? 0, call.std ?? 1, gen);
      return out;
    }
    case "randint": {
      const out = new Float64Array(call.n ?? 0);
      fillRandint(out, call.low ?? 0, call.high ?? 1, gen);
      return out;
    }
    case "randperm":
      return randperm(call.n ?? 0, gen);
  }
}

/** FNV-1a over the 32-bit words of each value's float64 bits, low word first (as the fixture script). */
function fnv1a(values: ArrayLike<number>): number {
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  let h = 2166136261;
  for (let i = 0; i < values.length; i++) {
    bits[0] = values[i];
    h = Math.imul(h ^ words[0], 16777619) >>> 0;
    h = Math.imul(h ^ words[1], 16777619) >>> 0;
  }
  return h;
}

function assertSameBits(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
  }
}

function assertCall(call: Call, actual: Float32Array | Float64Array, what: string): void {
  if (call.values) return assertSameBits(actual, call.values, what);
  const d = call.digest as Digest;
  assert.equal(actual.length, d.count, `${what}: length`);
  assertSameBits(actual.slice(0, d.head.length), d.head, `${what} (head)`);
  assertSameBits(actual.slice(actual.length - d.tail.length), d.tail, `${what} (tail)`);
  assert.equal(fnv1a(actual), d.fnv1a, `${what}: digest of all ${d.count} values`);
}

function describeCall(call: Call): string {
  const { values: _v, digest: _d, ...args } = call;
  return JSON.stringify(args);
}

function seeded(stream: Stream): Generator {
  const gen = new Generator();
  if (stream.seed !== null) gen.manualSeed(BigInt(stream.seed));
  return gen;
}

describe("random: PyTorch's CPU generator, bit for bit", () => {
  describe("streams of calls after a seed", () => {
    for (const stream of fixture.streams) {
      it(stream.name, () => {
        const gen = seeded(stream);
        assert.equal(gen.initialSeed().toString(), stream.initialSeed, "initial_seed()");
        for (const call of stream.calls) assertCall(call, run(call, gen), `${stream.name}: ${describeCall(call)}`);
      });
    }
  });

  describe("seeds", () => {
    it("a number seed and a bigint seed are the same seed, and manualSeed returns the generator", () => {
      const stream = fixture.streams.find((s) => s.seed === "1234") as Stream;
      const gen = new Generator().manualSeed(1234);
      assert.equal(gen.initialSeed(), 1234n);
      for (const call of stream.calls) assertCall(call, run(call, gen), describeCall(call));
    });

    it("negative seeds wrap modulo 2^64, as torch.manual_seed(-1) does", () => {
      assert.equal(new Generator(-1).initialSeed().toString(), fixture.streams.find((s) => s.seed === "-1")?.initialSeed);
    });

    it("rejects seeds PyTorch rejects", () => {
      assert.throws(() => new Generator(2n ** 64n), RangeError);
      assert.throws(() => new Generator(-(2n ** 63n) - 1n), RangeError);
      assert.throws(() => new Generator(1.5), TypeError);
    });

    it("manualSeed forgets the cached second half of a Box-Muller pair", () => {
      const stream = fixture.streams.find((s) => s.seed === "0" && s.name.includes("mixed")) as Stream;
      const first = stream.calls[0];
      const gen = new Generator(0);
      run({ op: "randn", dtype: "float32", n: 1 }, gen); // leaves a cached sample behind
      gen.manualSeed(0);
      assertCall(first, run(first, gen), "randn(1) after re-seeding");
    });

    it("getState / setState replay the same numbers", () => {
      const stream = fixture.streams.find((s) => s.seed === "7") as Stream;
      const gen = new Generator(7);
      run(stream.calls[0], gen); // randn(1): a sine half is now cached
      const state = gen.getState();
      for (let pass = 0; pass < 2; pass++) {
        gen.setState(state);
        for (const call of stream.calls.slice(1, 6)) assertCall(call, run(call, gen), `pass ${pass}: ${describeCall(call)}`);
      }
    });
  });

  describe("the default generator", () => {
    const fresh = fixture.streams.filter((s) => s.seed === null);

    it("starts where a fresh torch.Generator() starts: seed 67280421310721", () => {
      assert.equal(DEFAULT_SEED.toString(), fixture.facts.freshGeneratorInitialSeed);
      resetDefaultGenerator();
      assert.equal(defaultGenerator.initialSeed().toString(), fixture.facts.freshGeneratorInitialSeed);
    });

    it("resetDefaultGenerator() brings back that start state, whatever ran before", () => {
      for (const stream of fresh) {
        defaultGenerator.manualSeed(99);
        fillNormal(new Float32Array(1), 0, 1); // uses the default generator, and leaves a cached normal
        resetDefaultGenerator();
        for (const call of stream.calls) assertCall(call, run(call, defaultGenerator), `${stream.name}: ${describeCall(call)}`);
      }
      resetDefaultGenerator();
    });

    it("is what the fill helpers use when no generator is given", () => {
      const stream = fresh[0];
      resetDefaultGenerator();
      const out = new Float32Array(3);
      fillUniform(out, 0, 1);
      assertSameBits(out, stream.calls[0].values as number[], "rand(3)");
      resetDefaultGenerator();
    });

    it("(PyTorch's own default generator is seeded at random per process, so only seeded runs can match it)", () => {
      const [a, b] = fixture.facts.defaultGeneratorSeedsOfTwoNewProcesses;
      assert.notEqual(a, b);
    });
  });

  describe("nn.Linear(in, out) initialisation", () => {
    for (const c of fixture.linear) {
      it(`seed ${c.seed}, Linear(${c.in}, ${c.out}), ${c.dtype}: uniform_(±bound) on weight, then on bias`, () => {
        const bounds = linearInitBounds(c.in);
        assert.ok(Object.is(bounds.weight, c.weightBound), `weight bound: expected ${c.weightBound}, got ${bounds.weight}`);
        assert.ok(Object.is(bounds.bias, c.biasBound), `bias bound: expected ${c.biasBound}, got ${bounds.bias}`);
        assert.equal(bounds.weight === bounds.bias, c.sameBoundAsDouble);
        const gen = new Generator(c.seed);
        const weight = allocate(c.dtype, c.in * c.out);
        const bias = allocate(c.dtype, c.out);
        fillUniform(weight, -bounds.weight, bounds.weight, gen);
        fillUniform(bias, -bounds.bias, bounds.bias, gen);
        assertSameBits(weight, c.weight, "weight");
        assertSameBits(bias, c.bias, "bias");
      });
    }
  });

  describe("what the kernels rest on", () => {
    const fns = { log: libmLog, sin: libmSin, cos: libmCos };
    for (const [name, fn] of Object.entries(fns) as Array<[keyof typeof fns, (x: number) => number]>) {
      it(`glibc's double ${name}, bit for bit (${fixture.libm[name].length} arguments)`, () => {
        for (const [x, y] of fixture.libm[name]) assert.ok(Object.is(fn(x), y), `${name}(${x}): expected ${y}, got ${fn(x)}`);
      });
    }

    it("fma in float64 rounds once, ties included", () => {
      for (const [a, b, c, r] of fixture.fma.double) assert.ok(Object.is(fma(a, b, c), r), `fma(${a}, ${b}, ${c}): expected ${r}, got ${fma(a, b, c)}`);
    });

    it("fma in float32 rounds once, ties included", () => {
      for (const [a, b, c, r] of fixture.fma.float) assert.ok(Object.is(fmaf(a, b, c), r), `fmaf(${a}, ${b}, ${c}): expected ${r}, got ${fmaf(a, b, c)}`);
    });
  });

  describe("bad arguments: PyTorch's messages", () => {
    for (const e of fixture.errors) {
      it(`${e.call}(${e.args.join(", ")})`, () => {
        const gen = new Generator(0);
        const call = (): unknown => {
          if (e.call === "uniform") return fillUniform(allocate(e.dtype, 3), e.args[0], e.args[1], gen);
          if (e.call === "normal") return fillNormal(allocate(e.dtype, 3), e.args[0], e.args[1], gen);
          if (e.call === "randint") return fillRandint(new Float64Array(3), e.args[0], e.args[1], gen);
          return randperm(e.args[0], gen);
        };
        assert.throws(call, (err: Error) => err.name === "RuntimeError" && err.message === e.message);
      });
    }
  });
});
