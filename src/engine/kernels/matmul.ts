/**
 * Matrix multiply: out[m×n] = op(A)[m×k] · op(B)[k×n], op = identity or transpose (`transA`: A is stored k×m).
 * Row-major; `out` is overwritten. Offsets let callers run batched products on slices of one buffer.
 *
 * float32 products are formed as PyTorch's OpenBLAS forms them wherever its order is known (f32/matmul_openblas.ts:
 * chains of float32 fused multiply-adds; every product it runs on one thread, and thin ones of any size), so their
 * bits are PyTorch's. Other sums are float64 whatever the array type, added in order of depth, so a float32 output is
 * the exact sum rounded once (up to float64 rounding). Small products run as plain dot products; larger ones are
 * packed into cache-sized panels and multiplied by a WebAssembly SIMD kernel, or by a register-blocked JS kernel
 * where WebAssembly is unavailable. Every such path adds the same terms in the same order, so they give the same
 * results. `accumulate` adds the product to `out` (BLAS's beta = 1, what addmm asks for).
 */
import { OPENBLAS_SINGLE_THREAD_MAX_WORK, openblasSgemm } from "./f32/matmul_openblas";
import { directGemm } from "./matmul_direct";
import { createJsKernel } from "./matmul_js";
import { packedGemm, type BlockKernel } from "./matmul_packed";
import type { FloatArray } from "./matmul_types";
import { createWasmKernel } from "./matmul_wasm";

export type { FloatArray } from "./matmul_types";

/**
 * Below this many multiply-adds, or with fewer than 4 output rows or columns (a tile), packing costs more than it
 * saves. Measured crossovers: about 10³ with the WebAssembly kernel, 20³ with the JS one.
 */
const DIRECT_MAX_WORK = { "wasm-simd": 1024, js: 8192 };

let cachedKernel: BlockKernel | undefined;

/** Compiled on first use, so that loading the engine costs nothing. */
function blockKernel(): BlockKernel {
  cachedKernel ??= createWasmKernel() ?? createJsKernel();
  return cachedKernel;
}

export function gemm(
  m: number, n: number, k: number,
  a: FloatArray, aOffset: number, transA: boolean,
  b: FloatArray, bOffset: number, transB: boolean,
  out: FloatArray, outOffset: number, accumulate = false,
): void {
  if (m === 0 || n === 0) return;
  // float32 products that OpenBLAS forms on one thread, and thin ones (one chain per element whatever the threads):
  // OpenBLAS's own order of rounding (kernels/f32/matmul_openblas.ts).
  if ((m < 4 || n < 4 || m * n * k <= OPENBLAS_SINGLE_THREAD_MAX_WORK) && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) {
    openblasSgemm(m, n, k, a, aOffset, transA, b, bOffset, transB, out, outOffset, accumulate);
    return;
  }
  if (accumulate) {
    // out += product: the product is formed apart, then added (beta = 1 off OpenBLAS's path).
    const product = out instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n);
    gemm(m, n, k, a, aOffset, transA, b, bOffset, transB, product, 0);
    for (let i = 0; i < m * n; i++) out[outOffset + i] += product[i];
    return;
  }
  // The work test comes first, so that tiny products never compile the kernel.
  if (m < 4 || n < 4 || m * n * k <= DIRECT_MAX_WORK["wasm-simd"] || m * n * k <= DIRECT_MAX_WORK[blockKernel().name]) {
    directGemm(m, n, k, a, aOffset, transA, b, bOffset, transB, out, outOffset);
    return;
  }
  packedGemm(blockKernel(), m, n, k, a, aOffset, transA, b, bOffset, transB, out, outOffset);
}

/** Which block kernel large products use: "wasm-simd" or "js" (compiles the kernel if it is not yet). */
export function gemmBackend(): "wasm-simd" | "js" {
  return blockKernel().name;
}
