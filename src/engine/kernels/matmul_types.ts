/** The arrays gemm reads and writes: float32 or float64, the same type for all three operands of one call. */
export type FloatArray = Float32Array | Float64Array;
