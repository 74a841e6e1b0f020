/**
 * PyTorch's CPU generator (`CPUGeneratorImpl`, `torch.Generator()`): a 64-bit seed, an MT19937 engine seeded with
 * its low 32 bits, and the second Box-Muller sample kept for the next scalar normal draw. Every random function
 * takes one as `{ generator }`, as PyTorch's take `generator=`:
 *
 *   const g = new Generator().manualSeed(2147483647);
 *   const C = randn([27, 2], { generator: g });
 *   const ix = multinomial(p, 1, { replacement: true, generator: g });
 */
import { MT19937, type MT19937State } from "./mt19937";

/** The seed PyTorch gives a new `torch.Generator()` (`default_rng_seed_val` in ATen). */
export const DEFAULT_SEED = 67280421310721n;

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_24 = 2 ** -24;
const TWO_POW_MINUS_53 = 2 ** -53;

export interface GeneratorState {
  readonly seed: bigint;
  readonly engine: MT19937State;
  readonly nextDoubleNormal: number | null;
}

export class Generator {
  /** Always "cpu", as this engine's tensors are. */
  readonly device = "cpu";
  private readonly engine = new MT19937();
  private currentSeed = DEFAULT_SEED;
  /** @internal Scalar normal draws come in Box-Muller pairs; PyTorch keeps the sine half for the next draw.
   * `manualSeed` forgets it, so the stream after a seed does not depend on what ran before. */
  nextDoubleNormal: number | null = null;

  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /** As `torch.Generator.manual_seed`: any integer in [-2^63, 2^64); a negative seed is taken modulo 2^64. */
  manualSeed(seed: number | bigint): this {
    this.currentSeed = toSeed(seed);
    this.engine.seed(Number(this.currentSeed & 0xffffffffn));
    this.nextDoubleNormal = null;
    return this;
  }

  /** The seed this generator was last seeded with (`initial_seed()`), a bigint since seeds reach 2^64. */
  initialSeed(): bigint {
    return this.currentSeed;
  }

  /** Seeds from a non-deterministic source (as `torch.Generator.seed()`) and returns the seed. */
  seed(): bigint {
    const words = new Uint32Array(2);
    const source = (globalThis as { crypto?: { getRandomValues(a: Uint32Array): Uint32Array } }).crypto;
    if (source) source.getRandomValues(words);
    else for (let i = 0; i < 2; i++) words[i] = Math.floor(Math.random() * TWO_POW_32);
    const seed = (BigInt(words[0]) << 32n) | BigInt(words[1]);
    this.manualSeed(seed);
    return seed;
  }

  /** @internal `CPUGeneratorImpl::random()`: the next 32 bits, unsigned. */
  random(): number {
    return this.engine.next();
  }

  /** @internal `CPUGeneratorImpl::random64()` is two draws, the first one the high half; returned as a bigint because it
   * does not fit a double. The fill loops take the bits they need without going through it. */
  random64(): bigint {
    const hi = this.engine.next();
    const lo = this.engine.next();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** @internal A float32 uniform on [0, 1): the low 24 bits of one draw, times 2^-24 (exact in float32). */
  nextFloat(): number {
    return (this.engine.next() & 0xffffff) * TWO_POW_MINUS_24;
  }

  /** @internal A float64 uniform on [0, 1): the low 53 bits of `random64()`, times 2^-53. */
  nextDouble(): number {
    const hi = this.engine.next() & 0x1fffff;
    const lo = this.engine.next();
    return (hi * TWO_POW_32 + lo) * TWO_POW_MINUS_53;
  }

  /** A copy of the whole state (`get_state()`), to restore with setState(). */
  getState(): GeneratorState {
    return { seed: this.currentSeed, engine: this.engine.getState(), nextDoubleNormal: this.nextDoubleNormal };
  }

  setState(state: GeneratorState): this {
    if (!state || typeof state !== "object" || !state.engine) throw new TypeError("setState() expects a state returned by getState()");
    this.engine.setState(state.engine);
    this.currentSeed = state.seed;
    this.nextDoubleNormal = state.nextDoubleNormal;
    return this;
  }
}

const MIN_SEED = -(2n ** 63n);
const MAX_SEED = 2n ** 64n - 1n;

function toSeed(seed: number | bigint): bigint {
  if (typeof seed === "number" && !Number.isInteger(seed)) {
    throw new TypeError(`manual_seed expected an integer seed, but got ${seed}`);
  }
  const s = BigInt(seed);
  if (s < MIN_SEED || s > MAX_SEED) throw new RangeError(`Overflow when unpacking long: seed ${s} is outside [-2^63, 2^64)`);
  return BigInt.asUintN(64, s);
}
