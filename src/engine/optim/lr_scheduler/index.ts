/** `optim.lr_scheduler` (also `optim.lrScheduler`): learning-rate schedules, PyTorch 1.13's floats to the bit. */
export { LRScheduler, EPOCH_DEPRECATION_WARNING } from "./scheduler";
export type { SchedulerOptions } from "./scheduler";
export { StepLR, MultiStepLR, ExponentialLR, ConstantLR, LinearLR } from "./step_lr";
export type { GammaOptions, ConstantLROptions, LinearLROptions } from "./step_lr";
export { LambdaLR, MultiplicativeLR } from "./lambda_lr";
export type { LrLambda } from "./lambda_lr";
export { CosineAnnealingLR } from "./cosine";
export type { CosineAnnealingOptions } from "./cosine";
export { OneCycleLR } from "./one_cycle";
export type { OneCycleLROptions } from "./one_cycle";
export { ReduceLROnPlateau } from "./plateau";
export type { ReduceLROnPlateauOptions } from "./plateau";
export { SequentialLR } from "./sequential";
