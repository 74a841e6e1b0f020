/** `F`: torch.nn.functional. */
export { mseLoss, l1Loss, crossEntropy, nllLoss, binaryCrossEntropy } from "./loss";
export type { LossOptions, NllOptions, Reduction } from "./loss";
export { relu, sigmoid, tanh, softmax, logSoftmax } from "./activation";
export { linear } from "./linear";
export { oneHot } from "./one_hot";
export { leakyRelu, elu, selu, celu, gelu, silu, mish, softplus, softsign, hardtanh, relu6, hardsigmoid, hardswish, logsigmoid, softmin, glu, threshold } from "./activation_more";
export { binaryCrossEntropyWithLogits, huberLoss, smoothL1Loss, softMarginLoss, multiMarginLoss, klDiv, poissonNllLoss, gaussianNllLoss } from "./loss_more";
export type { BCEWithLogitsOptions, HuberOptions, SmoothL1Options, MultiMarginOptions, KLDivOptions, PoissonNLLOptions, GaussianNLLOptions } from "./loss_more";
export { marginRankingLoss, hingeEmbeddingLoss, cosineEmbeddingLoss, tripletMarginLoss, multilabelSoftMarginLoss } from "./loss_embedding";
export type { MarginOptions, TripletMarginOptions, MultilabelSoftMarginOptions } from "./loss_embedding";
export type { BCEOptions, CrossEntropyOptions } from "./loss";
