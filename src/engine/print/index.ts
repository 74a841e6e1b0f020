/** Printing as PyTorch and NumPy print, and Python's %-formatting. */
export { formatTensor, formatValues } from "./tensor_repr";
export type { PrintableTensor, PrintDType } from "./tensor_repr";
export { formatNumpyArray } from "./numpy_repr";
export { printOptions, setPrintOptions } from "./options";
export type { PrintOptions } from "./options";
export { sprintf } from "./sprintf";
export { formatExponent, formatFixed, pythonFloatRepr } from "./number_format";
