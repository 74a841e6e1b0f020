/** `indexing.Slice`, `indexing.None`, `indexing.Ellipsis`: libtorch's `torch::indexing` namespace. */
export { Slice, Ellipsis, None } from "./indexing";
