/**
 * The 32-bit Mersenne Twister (MT19937), the engine under PyTorch's CPU generator. PyTorch seeds it from the low
 * 32 bits of the 64-bit seed with the reference initialisation (Matsumoto and Nishimura, 2002), so for a given
 * seed this produces the same stream as PyTorch's `CPUGeneratorImpl::random()` and as C++'s `std::mt19937`.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

export interface MT19937State {
  readonly words: Uint32Array;
  readonly index: number;
}

export class MT19937 {
  private readonly words = new Uint32Array(N);
  /** Next word to temper; N means the block is used up and must be twisted before the next draw. */
  private index = N;

  constructor(seed = 5489) {
    this.seed(seed);
  }

  /** `seed` is taken modulo 2^32, as PyTorch does with the 64-bit seed. */
  seed(seed: number): void {
    const w = this.words;
    w[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = w[i - 1];
      w[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = N;
  }

  /** The next 32-bit output, as an unsigned integer in [0, 2^32). */
  next(): number {
    if (this.index >= N) this.twist();
    let y = this.words[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  getState(): MT19937State {
    return { words: this.words.slice(), index: this.index };
  }

  setState(state: MT19937State): void {
    if (state.words.length !== N || !(state.index >= 0 && state.index <= N)) throw new RangeError("MT19937: invalid state");
    this.words.set(state.words);
    this.index = state.index;
  }

  private twist(): void {
    const w = this.words;
    for (let i = 0; i < N; i++) {
      const y = (w[i] & UPPER) | (w[(i + 1) % N] & LOWER);
      w[i] = w[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }
}
