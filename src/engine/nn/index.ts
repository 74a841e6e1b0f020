/** `nn`: modules and parameters. */
export { Module } from "./module";
export { Parameter } from "./parameter";
export { Linear, ReLU, Tanh, Sigmoid, MSELoss, CrossEntropyLoss } from "./layers";
export { Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict, NotImplementedError } from "./containers";
export { IncompatibleKeys } from "./state_dict";
export type { StateDict } from "./state_dict";
export type { RemovableHandle } from "./module_hooks";
export type { LinearOptions } from "./layers";
