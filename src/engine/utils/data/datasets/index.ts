/** Small data sets for examples: synthetic ones drawn from PyTorch's generator, and two tiny real ones. */
export { makeMoons, makeSpirals } from "./synthetic";
export type { SyntheticOptions } from "./synthetic";
export { loadDigits } from "./digits";
export type { DigitsOptions } from "./digits";
export { loadNames } from "./names";
