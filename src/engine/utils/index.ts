/** `utils`: torch.utils's parts that snippets use. */
export * as data from "./data";
