/**
 * Instantiating a module that encodeModule wrote: such a module imports its memory (env.memory), so the caller makes
 * one of the pages it asked for and reads the kernels' results from that memory's buffer.
 */

export type Instantiated = (exports: WebAssembly.Exports, buffer: ArrayBuffer) => void;

/**
 * Compiles synchronously where that is allowed (Node, workers) and calls `ready` before returning; a browser's main
 * thread refuses modules over 4 KB synchronously, and a Content-Security-Policy without 'wasm-unsafe-eval' refuses
 * them altogether, so then it tries in the background and `ready` is called later, or never (the JS kernels serve).
 */
export function instantiateOwnMemory(bytes: Uint8Array<ArrayBuffer>, pages: number, ready: Instantiated): void {
  const memory = new WebAssembly.Memory({ initial: pages });
  const imports = { env: { memory } };
  try {
    ready(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports, memory.buffer);
  } catch {
    WebAssembly.instantiate(bytes, imports).then(
      (result) => ready(result.instance.exports, memory.buffer),
      () => undefined,
    );
  }
}
