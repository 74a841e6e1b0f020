/**
 * Recurrent layers as PyTorch has them: RNN, LSTM, GRU (layers, directions, batch_first, unbatched input) and their
 * cells. Parameters are named and initialised as PyTorch's (each uniform in ±1/√hidden, drawn in the order of
 * `parameters()`), and each step is computed with the engine's ops, so the graph is the one PyTorch's CPU path makes.
 */
import { RuntimeError } from "../errors";
import * as F from "../functional";
import { cat, stack } from "../ops/join";
import { empty } from "../ops/operands";
import { fillUniform } from "../random";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { Parameter } from "./parameter";

type Mode = "RNN_TANH" | "RNN_RELU" | "LSTM" | "GRU";

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

export interface RNNOptions {
  numLayers?: number;
  nonlinearity?: "tanh" | "relu";
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
  dtype?: "float32" | "float64";
}

interface CellWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
}

/** One step: the new hidden state (and cell state for an LSTM) from the input's projection and the old state. */
function step(mode: Mode, inputProjection: Tensor, h: Tensor, c: Tensor | null, w: CellWeights): [Tensor, Tensor | null] {
  const hiddenProjection = F.linear(h, w.wHh, w.bHh);
  if (mode === "RNN_TANH") return [inputProjection.add(hiddenProjection).tanh(), null];
  if (mode === "RNN_RELU") return [inputProjection.add(hiddenProjection).relu(), null];
  if (mode === "LSTM") {
    const [i, f, g, o] = inputProjection.add(hiddenProjection).chunk(4, 1);
    const cy = f.sigmoid().mul(c!).add(i.sigmoid().mul(g.tanh()));
    return [o.sigmoid().mul(cy.tanh()), cy];
  }
  const [ir, iz, inn] = inputProjection.chunk(3, 1);
  const [hr, hz, hn] = hiddenProjection.chunk(3, 1);
  const reset = ir.add(hr).sigmoid();
  const update = iz.add(hz).sigmoid();
  const candidate = inn.add(reset.mul(hn)).tanh();
  // PyTorch's form: n + z·(h − n).
  return [candidate.add(update.mul(h.sub(candidate))), null];
}

function uniformParameter(shape: number[], bound: number, dtype: "float32" | "float64"): Parameter {
  const t = empty(shape, dtype);
  fillUniform(t._data as Float32Array | Float64Array, -bound, bound);
  return new Parameter(t);
}

abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;

  constructor(
    private readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RNNOptions,
  ) {
    super();
    this.numLayers = options.numLayers ?? 1;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = options.dropout ?? 0;
    this.bidirectional = options.bidirectional ?? false;
    if (!(this.dropout >= 0 && this.dropout <= 1)) throw new RangeError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed");
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new RangeError("hidden_size must be greater than zero");
    if (!Number.isInteger(this.numLayers) || this.numLayers <= 0) throw new RangeError("num_layers must be greater than zero");
    const dtype = options.dtype ?? "float32";
    const bound = 1 / Math.sqrt(hiddenSize);
    const gates = GATES[mode] * hiddenSize;
    const directions = this.bidirectional ? 2 : 1;
    // Registered, and so drawn, in PyTorch's order: per layer, per direction, w_ih, w_hh, b_ih, b_hh.
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < directions; d++) {
        const suffix = `_l${layer}${d === 1 ? "_reverse" : ""}`;
        const inSize = layer === 0 ? inputSize : hiddenSize * directions;
        this.registerParameter(`weight_ih${suffix}`, uniformParameter([gates, inSize], bound, dtype));
        this.registerParameter(`weight_hh${suffix}`, uniformParameter([gates, hiddenSize], bound, dtype));
        if (this.bias) {
          this.registerParameter(`bias_ih${suffix}`, uniformParameter([gates], bound, dtype));
          this.registerParameter(`bias_hh${suffix}`, uniformParameter([gates], bound, dtype));
        }
      }
    }
  }

  /** A parameter by PyTorch's name (`weight_ih_l0`). */
  param(name: string): Parameter {
    const p = this._ownParameters().find(([n]) => n === name)?.[1];
    if (!p) throw new RuntimeError(`${this.constructor.name} has no parameter ${name}`);
    return p;
  }

  private weights(layer: number, reverse: boolean): CellWeights {
    const suffix = `_l${layer}${reverse ? "_reverse" : ""}`;
    return {
      wIh: this.param(`weight_ih${suffix}`),
      wHh: this.param(`weight_hh${suffix}`),
      bIh: this.bias ? this.param(`bias_ih${suffix}`) : null,
      bHh: this.bias ? this.param(`bias_hh${suffix}`) : null,
    };
  }

  /** Runs every layer and direction over a time-major [T, B, in] input with states [layers·dirs, B, H]. */
  protected run(input: Tensor, h0: Tensor | null, c0: Tensor | null): { output: Tensor; hN: Tensor; cN: Tensor | null } {
    const isLstm = this.mode === "LSTM";
    const directions = this.bidirectional ? 2 : 1;
    const [steps, batch] = input.shape;
    const zeros = () => empty([this.numLayers * directions, batch, this.hiddenSize], input.dtype);
    const hInit = h0 ?? zeros();
    const cInit = isLstm ? (c0 ?? zeros()) : null;
    const hLast: Tensor[] = [];
    const cLast: Tensor[] = [];
    let layerInput = input;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const outputs: Tensor[] = [];
      for (let d = 0; d < directions; d++) {
        const w = this.weights(layer, d === 1);
        const index = layer * directions + d;
        let h = hInit.select(0, index);
        let c = cInit ? cInit.select(0, index) : null;
        // The input's projection for every step at once, as PyTorch's FullLayer does.
        const projected = F.linear(layerInput, w.wIh, w.bIh);
        const out: Tensor[] = new Array<Tensor>(steps);
        for (let s = 0; s < steps; s++) {
          const t = d === 1 ? steps - 1 - s : s;
          [h, c] = step(this.mode, projected.select(0, t), h, c, w);
          out[t] = h;
        }
        outputs.push(stack(out, 0));
        hLast.push(h);
        if (c) cLast.push(c);
      }
      layerInput = directions === 1 ? outputs[0] : cat(outputs, 2);
      // PyTorch drops between layers only, and only while training.
      if (this.dropout > 0 && this.training && layer < this.numLayers - 1) layerInput = F.dropout(layerInput, this.dropout, { training: true });
    }
    return { output: layerInput, hN: stack(hLast, 0), cN: isLstm ? stack(cLast, 0) : null };
  }

  /** Checks and brings the input to [T, B, in]; `unbatched` for a 2-D input. */
  protected prepare(input: Tensor): { x: Tensor; unbatched: boolean } {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new RuntimeError(`${this.constructor.name}: Expected input to be 2D or 3D, got ${input.ndim}D instead`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${input.shape[input.ndim - 1]}`);
    }
    const unbatched = input.ndim === 2;
    const x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    return { x, unbatched };
  }

  protected finish(output: Tensor, unbatched: boolean): Tensor {
    if (unbatched) return output.squeeze(1);
    return this.batchFirst ? output.transpose(0, 1) : output;
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ", bias=False";
    if (this.batchFirst) s += ", batch_first=True";
    if (this.dropout !== 0) s += `, dropout=${this.dropout}`;
    if (this.bidirectional) s += ", bidirectional=True";
    return s;
  }
}

function stateIn(h: Tensor | null | undefined, unbatched: boolean): Tensor | null {
  if (!h) return null;
  return unbatched ? h.unsqueeze(1) : h;
}

function stateOut(h: Tensor, unbatched: boolean): Tensor {
  return unbatched ? h.squeeze(1) : h;
}

/** Elman RNN: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu). */
export class RNN extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    super(options.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, options);
    if (options.nonlinearity && options.nonlinearity !== "tanh" && options.nonlinearity !== "relu") {
      throw new RangeError(`Unknown nonlinearity '${String(options.nonlinearity)}'. Select from 'tanh' or 'relu'.`);
    }
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const { x, unbatched } = this.prepare(input);
    const { output, hN } = this.run(x, stateIn(hx, unbatched), null);
    return [this.finish(output, unbatched), stateOut(hN, unbatched)];
  }
}

export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNOptions, "nonlinearity"> = {}) {
    super("LSTM", inputSize, hiddenSize, options);
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    const { x, unbatched } = this.prepare(input);
    const { output, hN, cN } = this.run(x, stateIn(hx?.[0], unbatched), stateIn(hx?.[1], unbatched));
    return [this.finish(output, unbatched), [stateOut(hN, unbatched), stateOut(cN!, unbatched)]];
  }
}

export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: Omit<RNNOptions, "nonlinearity"> = {}) {
    super("GRU", inputSize, hiddenSize, options);
  }

  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor] {
    const { x, unbatched } = this.prepare(input);
    const { output, hN } = this.run(x, stateIn(hx, unbatched), null);
    return [this.finish(output, unbatched), stateOut(hN, unbatched)];
  }
}

// ---- cells ----

abstract class CellBase extends Module {
  readonly weight_ih: Parameter;
  readonly weight_hh: Parameter;
  readonly bias_ih: Parameter | null;
  readonly bias_hh: Parameter | null;

  constructor(
    protected readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    readonly bias: boolean,
    dtype: "float32" | "float64",
  ) {
    super();
    const bound = 1 / Math.sqrt(hiddenSize);
    const gates = GATES[mode] * hiddenSize;
    this.weight_ih = uniformParameter([gates, inputSize], bound, dtype);
    this.weight_hh = uniformParameter([gates, hiddenSize], bound, dtype);
    this.bias_ih = bias ? uniformParameter([gates], bound, dtype) : null;
    this.bias_hh = bias ? uniformParameter([gates], bound, dtype) : null;
  }

  protected cell(input: Tensor, h: Tensor | null, c: Tensor | null): [Tensor, Tensor | null] {
    if (input.ndim !== 1 && input.ndim !== 2) throw new RuntimeError(`${this.constructor.name}: Expected input to be 1D or 2D, got ${input.ndim}D instead`);
    const unbatched = input.ndim === 1;
    const x = unbatched ? input.unsqueeze(0) : input;
    const zeros = () => empty([x.shape[0], this.hiddenSize], x.dtype);
    const hx = h ? (unbatched ? h.unsqueeze(0) : h) : zeros();
    const cx = this.mode === "LSTM" ? (c ? (unbatched ? c.unsqueeze(0) : c) : zeros()) : null;
    const w = { wIh: this.weight_ih, wHh: this.weight_hh, bIh: this.bias_ih, bHh: this.bias_hh };
    const [hy, cy] = step(this.mode, F.linear(x, w.wIh, w.bIh), hx, cx, w);
    return unbatched ? [hy.squeeze(0), cy ? cy.squeeze(0) : null] : [hy, cy];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ", bias=False";
    if (this.mode === "RNN_RELU") s += ", nonlinearity=relu";
    return s;
  }
}

export interface CellOptions {
  bias?: boolean;
  dtype?: "float32" | "float64";
}

export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions & { nonlinearity?: "tanh" | "relu" } = {}) {
    super(options.nonlinearity === "relu" ? "RNN_RELU" : "RNN_TANH", inputSize, hiddenSize, options.bias ?? true, options.dtype ?? "float32");
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.cell(input, hx ?? null, null)[0];
  }
}

export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super("LSTM", inputSize, hiddenSize, options.bias ?? true, options.dtype ?? "float32");
  }

  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    const [h, c] = this.cell(input, hx?.[0] ?? null, hx?.[1] ?? null);
    return [h, c!];
  }
}

export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super("GRU", inputSize, hiddenSize, options.bias ?? true, options.dtype ?? "float32");
  }

  forward(input: Tensor, hx?: Tensor | null): Tensor {
    return this.cell(input, hx ?? null, null)[0];
  }
}
