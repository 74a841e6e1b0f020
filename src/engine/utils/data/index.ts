/** `utils.data`: datasets, samplers, DataLoader and randomSplit, as torch.utils.data (PyTorch 1.13). */
export { Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset } from "./dataset";
export { Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from "./sampler";
export type { RandomSamplerOptions, Sized } from "./sampler";
export { DataLoader } from "./dataloader";
export type { DataLoaderOptions } from "./dataloader";
export { defaultCollate, defaultConvert } from "./collate";
export type { Collated } from "./collate";
export { randomSplit } from "./random_split";
export * as datasets from "./datasets";
