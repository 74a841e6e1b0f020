/**
 * Error classes named as PyTorch's Python exceptions, so a message reads as a PyTorch user expects:
 * `RuntimeError: grad can be implicitly created only for scalar outputs`.
 */

export class RuntimeError extends Error {
  override name = "RuntimeError";
}

export class IndexError extends Error {
  override name = "IndexError";
}

export class ValueError extends Error {
  override name = "ValueError";
}

export class NotImplementedError extends Error {
  override name = "NotImplementedError";
}

export class KeyError extends Error {
  override name = "KeyError";
}

/** Python's AssertionError, which PyTorch raises for a device it was not built for (CUDA on this machine). */
export class AssertionError extends Error {
  override name = "AssertionError";
}
