/** `nn`: modules and parameters. */
export { Module } from "./module";
export { Parameter } from "./parameter";
export { Linear, ReLU, Tanh, Sigmoid, MSELoss, CrossEntropyLoss } from "./layers";
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, NotImplementedError } from "./containers";
export { IncompatibleKeys } from "./state_dict";
export type { StateDict } from "./state_dict";
export type { RemovableHandle } from "./module_hooks";
export type { LinearOptions } from "./layers";
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } from "./recurrent";
export type { RNNOptions, CellOptions } from "./recurrent";
export { MultiheadAttention, NonDynamicallyQuantizableLinear } from "./attention";
export type { MultiheadAttentionOptions, AttentionCallOptions } from "./attention";
export * as utils from "./utils";
export * as init from "./init";
export * from "./activations";
