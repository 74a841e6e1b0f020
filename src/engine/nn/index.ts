/** `nn`: modules and parameters. */
export { Module } from "./module";
export { Parameter } from "./parameter";
export { Linear, Sequential, ReLU, Tanh, Sigmoid, MSELoss, CrossEntropyLoss } from "./layers";
export type { LinearOptions } from "./layers";
export * as utils from "./utils";
export * as init from "./init";
