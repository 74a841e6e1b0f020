/** Padding modules: nn.ZeroPad2d, nn.ConstantPad1d/2d, nn.ReflectionPad1d/2d, nn.ReplicationPad1d/2d. */
import { RuntimeError } from "../errors";
import { type PadMode, pad } from "../functional/padding";
import type { Tensor } from "../tensor";
import { Module } from "./module";
import { pyFloat, pyRepr } from "./repr";

/** (left, right[, top, bottom]) from a number or a tuple, as PyTorch's _pair/_quadruple. */
function amounts(padding: number | readonly number[], dims: number, name: string): number[] {
  if (typeof padding === "number") return new Array<number>(2 * dims).fill(padding);
  if (padding.length !== 2 * dims) throw new RuntimeError(`${name}: padding must be a number or ${2 * dims} numbers, but got [${padding.join(", ")}]`);
  return [...padding];
}

abstract class PadNd extends Module {
  readonly padding: number[];

  constructor(padding: number | readonly number[], dims: number, private readonly mode: PadMode) {
    super();
    this.padding = amounts(padding, dims, new.target.name);
  }

  forward(input: Tensor): Tensor {
    return this.mode === "constant" ? pad(input, this.padding, { value: this.value() }) : pad(input, this.padding, this.mode);
  }

  protected value(): number {
    return 0;
  }

  override extraRepr(): string {
    return pyRepr(this.padding);
  }
}

/** PyTorch's _ConstantPadNd. */
abstract class ConstantPadNd extends PadNd {
  constructor(padding: number | readonly number[], dims: number, readonly fill: number) {
    super(padding, dims, "constant");
  }

  protected override value(): number {
    return this.fill;
  }

  override extraRepr(): string {
    return `padding=${pyRepr(this.padding)}, value=${pyFloat(this.fill)}`;
  }
}

/** nn.ConstantPad1d: the last dim padded with `value`. */
export class ConstantPad1d extends ConstantPadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(padding, 1, value);
  }
}

/** nn.ConstantPad2d: the last two dims padded with `value`. */
export class ConstantPad2d extends ConstantPadNd {
  constructor(padding: number | readonly number[], value: number) {
    super(padding, 2, value);
  }
}

/** nn.ZeroPad2d: ConstantPad2d with 0 (printed with its padding only). */
export class ZeroPad2d extends ConstantPadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, 0);
  }

  override extraRepr(): string {
    return pyRepr(this.padding);
  }
}

/** nn.ReflectionPad1d. */
export class ReflectionPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 1, "reflect");
  }
}

/** nn.ReflectionPad2d. */
export class ReflectionPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "reflect");
  }
}

/** nn.ReplicationPad1d. */
export class ReplicationPad1d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 1, "replicate");
  }
}

/** nn.ReplicationPad2d. */
export class ReplicationPad2d extends PadNd {
  constructor(padding: number | readonly number[]) {
    super(padding, 2, "replicate");
  }
}
