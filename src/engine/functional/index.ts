/** `F`: torch.nn.functional. */
export { mseLoss, l1Loss, crossEntropy, nllLoss, binaryCrossEntropy } from "./loss";
export type { LossOptions, NllOptions, Reduction } from "./loss";
export { relu, sigmoid, tanh, softmax, logSoftmax } from "./activation";
export { linear } from "./linear";
export { oneHot } from "./one_hot";
export { leakyRelu, elu, selu, celu, gelu, silu, mish, softplus, softsign, hardtanh, relu6, hardsigmoid, hardswish, logsigmoid, softmin, glu, threshold } from "./activation_more";
