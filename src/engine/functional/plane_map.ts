/**
 * A fixed sparse linear map applied to every plane of a tensor, and its transpose: average and adaptive-average
 * pooling, reflection and replication padding, nearest and (bi)linear interpolation, pixel (un)shuffle, unfold and
 * fold are each one such map (an output element is a weighted sum of a few input elements of the same plane). The
 * map's transpose is the gradient, and the transpose of that is the map again, so one op pair gives every order of
 * derivative with PyTorch's names for both nodes.
 */
import { type OpDef, apply, defineOp } from "../ops/op";
import { empty } from "../ops/operands";
import type { Tensor } from "../tensor";

/** out[b, o] = (Σ over entries e of o: weight[e] · in[b, src[e]]) / divisor[o], for each plane b. */
export interface PlaneMap {
  readonly inSize: number;
  readonly outSize: number;
  /** Entries of output o are start[o] .. start[o + 1] - 1. */
  readonly start: Int32Array;
  readonly src: Int32Array;
  /** Per entry; null means all 1. */
  readonly weight: Float64Array | null;
  /** Per output; null means no division. */
  readonly divisor: Float64Array | null;
}

const transposes = new WeakMap<PlaneMap, PlaneMap>();

/** The map's transpose (cached on the map): the gradient of a map is its transpose applied to the output's. */
export function transposeMap(m: PlaneMap): PlaneMap {
  const cached = transposes.get(m);
  if (cached) return cached;
  const counts = new Int32Array(m.inSize + 1);
  for (let e = 0; e < m.src.length; e++) counts[m.src[e] + 1]++;
  for (let i = 0; i < m.inSize; i++) counts[i + 1] += counts[i];
  const start = Int32Array.from(counts);
  const fill = counts.slice(0, m.inSize);
  const src = new Int32Array(m.src.length);
  const weight = m.weight || m.divisor ? new Float64Array(m.src.length) : null;
  for (let o = 0; o < m.outSize; o++) {
    const scale = m.divisor ? 1 / m.divisor[o] : 1;
    for (let e = m.start[o]; e < m.start[o + 1]; e++) {
      const at = fill[m.src[e]]++;
      src[at] = o;
      if (weight) weight[at] = (m.weight ? m.weight[e] : 1) * scale;
    }
  }
  const t: PlaneMap = { inSize: m.outSize, outSize: m.inSize, start, src, weight, divisor: null };
  transposes.set(m, t);
  transposes.set(t, m);
  return t;
}

function applyValues(x: Tensor, m: PlaneMap, shape: number[]): Tensor {
  const out = empty(shape, x.dtype);
  const xs = x._data;
  const ys = out._data;
  const planes = x.numel() / Math.max(1, m.inSize);
  const { start, src, weight, divisor } = m;
  for (let b = 0; b < planes; b++) {
    const inBase = b * m.inSize;
    const outBase = b * m.outSize;
    for (let o = 0; o < m.outSize; o++) {
      let sum = 0;
      if (weight) for (let e = start[o]; e < start[o + 1]; e++) sum += weight[e] * xs[inBase + src[e]];
      else for (let e = start[o]; e < start[o + 1]; e++) sum += xs[inBase + src[e]];
      ys[outBase + o] = divisor ? sum / divisor[o] : sum;
    }
  }
  return out;
}

export interface PlaneMapAttrs {
  readonly map: PlaneMap;
  /** Shapes of the map's input and output tensors (the transposed direction goes from outShape to inShape). */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  /** PyTorch's grad_fn names of the map and of its transpose. */
  readonly names: readonly [string, string];
  /** The map's gradient node also takes the map's input (PyTorch's AvgPool2DBackward takes `self`), which gets a zero
   * gradient; mutual pairs such as unfold and fold take only the gradient. */
  readonly selfInBackward: boolean;
  readonly transposed: boolean;
}

const planeMapOp: OpDef<PlaneMapAttrs> = defineOp<PlaneMapAttrs>({
  name: "planeMap",
  gradFnName: (a) => a.names[a.transposed ? 1 : 0],
  forward: ([x], a) => (a.transposed ? applyValues(x, transposeMap(a.map), a.inShape.slice()) : applyValues(x, a.map, a.outShape.slice())),
  backward: ({ inputs, attrs }, g) => {
    const flipped = { ...attrs, transposed: !attrs.transposed };
    const withSelf = attrs.selfInBackward && !attrs.transposed;
    const grad = apply(planeMapOp, withSelf ? [g, inputs[0]] : [g], flipped);
    return inputs.length === 2 ? [grad, empty(inputs[1].shape.slice(), inputs[1].dtype)] : [grad];
  },
});

/** Applies the map (`transposed`: its transpose) to x, recording the node PyTorch records. */
export function applyPlaneMap(x: Tensor, attrs: Omit<PlaneMapAttrs, "transposed">, transposed = false): Tensor {
  return apply(planeMapOp, [x], { ...attrs, transposed });
}

/** Builds a map from a function listing, for output o, its (source, weight) entries. */
export class PlaneMapBuilder {
  private readonly start: Int32Array;
  private src: Int32Array;
  private weight: Float64Array | null = null;
  private divisor: Float64Array | null = null;
  private count = 0;
  private output = 0;

  constructor(
    readonly inSize: number,
    readonly outSize: number,
    capacity = outSize,
  ) {
    this.start = new Int32Array(outSize + 1);
    this.src = new Int32Array(Math.max(1, capacity));
  }

  /** Adds an entry to the current output. */
  add(source: number, weight = 1): void {
    if (this.count === this.src.length) {
      const grown = new Int32Array(this.src.length * 2);
      grown.set(this.src);
      this.src = grown;
      if (this.weight) {
        const w = new Float64Array(grown.length);
        w.set(this.weight);
        this.weight = w;
      }
    }
    if (weight !== 1 && this.weight === null) {
      this.weight = new Float64Array(this.src.length).fill(1);
    }
    this.src[this.count] = source;
    if (this.weight) this.weight[this.count] = weight;
    this.count++;
  }

  /** Ends the current output, whose sum is divided by `divisor`. */
  next(divisor = 1): void {
    if (divisor !== 1 && this.divisor === null) this.divisor = new Float64Array(this.outSize).fill(1);
    if (this.divisor) this.divisor[this.output] = divisor;
    this.output++;
    this.start[this.output] = this.count;
  }

  build(): PlaneMap {
    return {
      inSize: this.inSize,
      outSize: this.outSize,
      start: this.start,
      src: this.src.subarray(0, this.count),
      weight: this.weight ? this.weight.subarray(0, this.count) : null,
      divisor: this.divisor,
    };
  }
}

/** A small cache of maps by key: a training loop builds the same map every step. */
export class MapCache {
  private readonly maps = new Map<string, PlaneMap>();

  constructor(private readonly size = 32) {}

  get(key: string, build: () => PlaneMap): PlaneMap {
    let m = this.maps.get(key);
    if (m) return m;
    m = build();
    if (this.maps.size >= this.size) this.maps.delete(this.maps.keys().next().value as string);
    this.maps.set(key, m);
    return m;
  }
}
