/**
 * utils.data against PyTorch 1.13: the batches a DataLoader yields (in order, shuffled from the default or an own
 * generator, with samplers), what the loop leaves in the default generator, randomSplit, default collation, and the
 * synthetic data sets' recipes. Fixtures: scripts/fixtures/data_fixtures.py → test/fixtures/data.json.
 */
import { strict as assert } from "node:assert";
import { Generator, manualSeed, rand, tensor, type Tensor, utils } from "../../src/engine";
import { loadFixture } from "./helpers/compare";
import { unpack, unpackTensor } from "./helpers/packed";

const { DataLoader, TensorDataset, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler, randomSplit, datasets } = utils.data;

type Packed = string | number[];
type SamplerSpec = { type: "random" | "subset" | "weighted"; replacement?: boolean; numSamples?: number; indices?: number[]; generator?: number; weights?: number[] };

interface LoaderCase {
  name: string;
  spec: { batchSize?: number; shuffle?: boolean; dropLast?: boolean; generator?: number; sampler?: SamplerSpec; batchSampler?: { batchSize: number; dropLast: boolean; shuffle: boolean } };
  epochs: Array<Packed[][] | { after: string }>;
  length: number;
}

interface Fixture {
  loaders: { x: string; y: number[]; cases: LoaderCase[] };
  slices: Array<{ index: string; x: string; xShape: number[]; y: number[] }>;
  splits: Array<{ lengths: number[]; seed: number | null; indices: number[][]; after: string }>;
  collate: { a: string; aShape: number[]; b0: number[]; b0dtype: string; b1: number[]; b1dtype: string; b2: boolean[]; b2dtype: string; name: string[] };
  synthetic: {
    moons: Array<{ n: number; shuffle: boolean; noise: number | null; seed: number; X: string; y: number[] }>;
    spirals: Array<{ n: number; k: number; noise: number; seed: number; X: string; y: number[] }>;
  };
}

const fixture = loadFixture<Fixture>("data.json");

function values(t: Tensor): number[] {
  return Array.from(t._data as ArrayLike<number>);
}

function expected(p: Packed): number[] {
  return typeof p === "string" ? Array.from(unpack(p)) : p;
}

function makeDataset() {
  const { x, y } = fixture.loaders;
  return new TensorDataset(unpackTensor(x, [10, 3]), tensor(y, { dtype: "int64" }));
}

function makeLoader(c: LoaderCase, ds: InstanceType<typeof TensorDataset>) {
  const s = c.spec;
  const generator = s.generator === undefined ? undefined : new Generator().manualSeed(s.generator);
  let sampler;
  if (s.sampler?.type === "random") sampler = new RandomSampler(ds, { replacement: s.sampler.replacement, numSamples: s.sampler.numSamples });
  if (s.sampler?.type === "subset") sampler = new SubsetRandomSampler(s.sampler.indices!, new Generator().manualSeed(s.sampler.generator!));
  if (s.sampler?.type === "weighted") sampler = new WeightedRandomSampler(s.sampler.weights!, s.sampler.numSamples!);
  const batchSampler = s.batchSampler ? new BatchSampler(new RandomSampler(ds), s.batchSampler.batchSize, s.batchSampler.dropLast) : undefined;
  return new DataLoader(ds, { batchSize: batchSampler ? undefined : s.batchSize, shuffle: s.shuffle, dropLast: s.dropLast, generator, sampler, batchSampler });
}

describe("utils.data: DataLoader yields PyTorch's batches", () => {
  for (const c of fixture.loaders.cases) {
    it(c.name, () => {
      const ds = makeDataset();
      manualSeed(123);
      const loader = makeLoader(c, ds);
      assert.equal(loader.length, c.length, "length (batches per epoch)");
      for (let e = 0; e < c.epochs.length; e += 2) {
        const batches = c.epochs[e] as Packed[][];
        const got = [...loader].map((batch) => batch.map(values));
        assert.equal(got.length, batches.length, `epoch ${e / 2}: number of batches`);
        batches.forEach((b, k) => b.forEach((t, j) => assert.deepEqual(got[k][j], expected(t), `epoch ${e / 2}, batch ${k}, tensor ${j}`)));
        const after = (c.epochs[e + 1] as { after: string }).after;
        assert.deepEqual(values(rand(2)), expected(after), `epoch ${e / 2}: the default generator after the loop`);
      }
    });
  }

  it("for (const [x, y] of loader) gives each batch as a tensor pair with the batch dimension first", () => {
    const loader = new DataLoader(makeDataset(), { batchSize: 4 });
    const shapes = [...loader].map(([x, y]) => [x.shape, y.shape, y.dtype]);
    assert.deepEqual(shapes, [[[4, 3], [4], "int64"], [[4, 3], [4], "int64"], [[2, 3], [2], "int64"]]);
  });

  it("refuses PyTorch's contradictory options with its messages", () => {
    const ds = makeDataset();
    assert.throws(() => new DataLoader(ds, { sampler: new RandomSampler(ds), shuffle: true }), /sampler option is mutually exclusive with shuffle/);
    assert.throws(() => new DataLoader(ds, { batchSampler: new BatchSampler(new RandomSampler(ds), 2, false), batchSize: 3 }), /batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last/);
    assert.throws(() => new DataLoader(ds, { batchSize: null, dropLast: true }), /batch_size=None option disables auto-batching and is mutually exclusive with drop_last/);
    assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batch_size should be a positive integer value, but got batch_size=0/);
    assert.throws(() => new TensorDataset(tensor([1, 2]), tensor([1, 2, 3])), /Size mismatch between tensors/);
    assert.throws(() => ds.get(10), /index 10 is out of bounds for dimension 0 with size 10/);
  });
});

describe("utils.data: a TensorDataset indexed by a slice is each tensor's rows, as PyTorch's dataset[a:b]", () => {
  for (const c of fixture.slices) {
    it(`get("${c.index}")`, () => {
      const [x, y] = makeDataset().get(c.index);
      assert.deepEqual(x.shape, c.xShape);
      assert.deepEqual(values(x), expected(c.x));
      assert.equal(y.dtype, "int64");
      assert.deepEqual(values(y), c.y);
    });
  }
});

describe("utils.data: randomSplit", () => {
  for (const s of fixture.splits) {
    it(`lengths ${JSON.stringify(s.lengths)}, ${s.seed === null ? "default generator" : `Generator().manualSeed(${s.seed})`}`, () => {
      manualSeed(9);
      const parts = randomSplit(makeDataset(), s.lengths, s.seed === null ? undefined : new Generator().manualSeed(s.seed));
      assert.deepEqual(parts.map((p) => [...p.indices]), s.indices);
      assert.deepEqual(values(rand(2)), expected(s.after), "the default generator after it");
    });
  }

  it("refuses lengths that do not add up", () => {
    assert.throws(() => randomSplit(makeDataset(), [3, 3]), /Sum of input lengths does not equal the length of the input dataset!/);
  });
});

describe("utils.data: defaultCollate", () => {
  it("stacks tensors, turns ints, floats and booleans into tensors, keeps strings, and collates tuples and dicts", () => {
    const c = fixture.collate;
    const batch = utils.data.defaultCollate([
      { a: tensor([1.0, 2.0]), b: [3, 0.5, true] as [number, number, boolean], name: "x" },
      { a: tensor([3.0, 4.0]), b: [4, 1.5, false] as [number, number, boolean], name: "y" },
    ]);
    assert.deepEqual(batch.a.shape, c.aShape);
    assert.deepEqual(values(batch.a), expected(c.a));
    const dtype = (d: string) => ({ "torch.int64": "int64", "torch.float64": "float64", "torch.bool": "bool" })[d];
    assert.deepEqual([batch.b[0].tolist(), batch.b[0].dtype], [c.b0, dtype(c.b0dtype)]);
    assert.deepEqual([batch.b[1].tolist(), batch.b[1].dtype], [c.b1, dtype(c.b1dtype)]);
    assert.deepEqual([values(batch.b[2]), batch.b[2].dtype], [c.b2.map(Number), dtype(c.b2dtype)]);
    assert.deepEqual(batch.name, c.name);
  });
});

describe("utils.data.datasets", () => {
  for (const m of fixture.synthetic.moons) {
    it(`makeMoons(${m.n}, {shuffle: ${m.shuffle}, noise: ${m.noise}}) with Generator().manualSeed(${m.seed})`, () => {
      const [X, y] = datasets.makeMoons(m.n, { shuffle: m.shuffle, noise: m.noise, generator: new Generator().manualSeed(m.seed) });
      assert.deepEqual(X.shape, [m.n, 2]);
      assert.deepEqual(values(X), expected(m.X));
      assert.deepEqual(values(y), m.y);
    });
  }
  for (const s of fixture.synthetic.spirals) {
    it(`makeSpirals(${s.n}, ${s.k}, {noise: ${s.noise}}) with Generator().manualSeed(${s.seed})`, () => {
      const [X, y] = datasets.makeSpirals(s.n, s.k, { noise: s.noise, generator: new Generator().manualSeed(s.seed) });
      assert.deepEqual(values(X), expected(s.X));
      assert.deepEqual(values(y), s.y);
    });
  }

  it("loadDigits: 300 8x8 images of 0..16, 30 of each digit, the first one a 0 as in scikit-learn", () => {
    const [X, y] = datasets.loadDigits();
    assert.deepEqual(X.shape, [300, 64]);
    assert.deepEqual(values(X).slice(0, 16), [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]);
    assert.ok(values(X).every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
    const counts = new Array(10).fill(0);
    for (const d of values(y)) counts[d]++;
    assert.deepEqual(counts, new Array(10).fill(30));
    const [images] = datasets.loadDigits({ asImages: true, normalize: true });
    assert.deepEqual(images.shape, [300, 1, 8, 8]);
    assert.equal(images._data[2], 5 / 16);
  });

  it("loadNames: makemore's first 500 names", () => {
    const names = datasets.loadNames();
    assert.equal(names.length, 500);
    assert.deepEqual(names.slice(0, 5), ["emma", "olivia", "ava", "isabella", "sophia"]);
    assert.ok(names.every((n) => /^[a-z]+$/.test(n)));
  });
});
