/**
 * The loss modules, as torch.nn has them: each keeps its options as attributes (PyTorch's names in camelCase), a
 * class weight as the buffer `weight` (BCEWithLogitsLoss's `pos_weight` too), and prints as PyTorch prints it,
 * `CrossEntropyLoss()`.
 */
import * as F from "../functional";
import type { LossOptions, Reduction } from "../functional/loss_common";
import type { BCEOptions, CrossEntropyOptions, NllOptions } from "../functional/loss";
import type { BCEWithLogitsOptions, GaussianNLLOptions, HuberOptions, KLDivOptions, MultiMarginOptions, PoissonNLLOptions, SmoothL1Options } from "../functional/loss_more";
import type { MarginOptions, MultilabelSoftMarginOptions, TripletMarginOptions } from "../functional/loss_embedding";
import type { Tensor } from "../tensor";
import { Module } from "./module";

/** PyTorch's _Loss: the reduction every loss module keeps. */
abstract class Loss extends Module {
  reduction: Reduction;

  constructor(options: LossOptions = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
  }
}

/** PyTorch's _WeightedLoss: a loss with a per-class weight buffer (None unless given). */
abstract class WeightedLoss extends Loss {
  declare weight: Tensor | null;

  constructor(options: LossOptions & { weight?: Tensor | null } = {}) {
    super(options);
    this.registerBuffer("weight", options.weight ?? null);
  }
}

export class L1Loss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

export class MSELoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

export class NLLLoss extends WeightedLoss {
  ignoreIndex: number;

  constructor(options: NllOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

export class CrossEntropyLoss extends WeightedLoss {
  ignoreIndex: number;
  labelSmoothing: number;

  constructor(options: CrossEntropyOptions = {}) {
    super(options);
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing });
  }
}

export class BCELoss extends WeightedLoss {
  constructor(options: BCEOptions = {}) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

export class BCEWithLogitsLoss extends Loss {
  declare weight: Tensor | null;
  declare posWeight: Tensor | null;

  constructor(options: BCEWithLogitsOptions = {}) {
    super(options);
    this.registerBuffer("weight", options.weight ?? null);
    this.registerBuffer("pos_weight", options.posWeight ?? null, { property: "posWeight" });
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.posWeight, reduction: this.reduction });
  }
}

export class HuberLoss extends Loss {
  delta: number;

  constructor(options: HuberOptions = {}) {
    super(options);
    this.delta = options.delta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export class SmoothL1Loss extends Loss {
  beta: number;

  constructor(options: SmoothL1Options = {}) {
    super(options);
    this.beta = options.beta ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

export class SoftMarginLoss extends Loss {
  forward(input: Tensor, target: Tensor): Tensor {
    return F.softMarginLoss(input, target, { reduction: this.reduction });
  }
}

export class KLDivLoss extends Module {
  reduction: Reduction | "batchmean";
  logTarget: boolean;

  constructor(options: KLDivOptions = {}) {
    super();
    this.reduction = options.reduction ?? "mean";
    this.logTarget = options.logTarget ?? false;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

export class PoissonNLLLoss extends Loss {
  logInput: boolean;
  full: boolean;
  eps: number;

  constructor(options: PoissonNLLOptions = {}) {
    super(options);
    this.logInput = options.logInput ?? true;
    this.full = options.full ?? false;
    this.eps = options.eps ?? 1e-8;
  }

  forward(logInput: Tensor, target: Tensor): Tensor {
    return F.poissonNllLoss(logInput, target, { logInput: this.logInput, full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

export class GaussianNLLLoss extends Loss {
  full: boolean;
  eps: number;

  constructor(options: GaussianNLLOptions = {}) {
    super(options);
    this.full = options.full ?? false;
    this.eps = options.eps ?? 1e-6;
  }

  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return F.gaussianNllLoss(input, target, variance, { full: this.full, eps: this.eps, reduction: this.reduction });
  }
}

export class MarginRankingLoss extends Loss {
  margin: number;

  constructor(options: MarginOptions = {}) {
    super(options);
    this.margin = options.margin ?? 0;
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.marginRankingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class HingeEmbeddingLoss extends Loss {
  margin: number;

  constructor(options: MarginOptions = {}) {
    super(options);
    this.margin = options.margin ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.hingeEmbeddingLoss(input, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class CosineEmbeddingLoss extends Loss {
  margin: number;

  constructor(options: MarginOptions = {}) {
    super(options);
    this.margin = options.margin ?? 0;
  }

  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return F.cosineEmbeddingLoss(input1, input2, target, { margin: this.margin, reduction: this.reduction });
  }
}

export class TripletMarginLoss extends Loss {
  margin: number;
  p: number;
  eps: number;
  swap: boolean;

  constructor(options: TripletMarginOptions = {}) {
    super(options);
    this.margin = options.margin ?? 1;
    this.p = options.p ?? 2;
    this.eps = options.eps ?? 1e-6;
    this.swap = options.swap ?? false;
  }

  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return F.tripletMarginLoss(anchor, positive, negative, { margin: this.margin, p: this.p, eps: this.eps, swap: this.swap, reduction: this.reduction });
  }
}

export class MultiMarginLoss extends WeightedLoss {
  p: 1 | 2;
  margin: number;

  constructor(options: MultiMarginOptions = {}) {
    super(options);
    this.p = options.p ?? 1;
    this.margin = options.margin ?? 1;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.multiMarginLoss(input, target, { p: this.p, margin: this.margin, weight: this.weight, reduction: this.reduction });
  }
}

export class MultiLabelSoftMarginLoss extends WeightedLoss {
  constructor(options: MultilabelSoftMarginOptions = {}) {
    super(options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.multilabelSoftMarginLoss(input, target, { weight: this.weight, reduction: this.reduction });
  }
}
