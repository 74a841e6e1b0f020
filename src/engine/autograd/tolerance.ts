/** The numerical checks' tolerance, in a file of its own: the runner's host side reads the defaults without loading
 * the engine, and numerical_derivative.ts and graph_check.ts share the type without importing each other. */
export interface Tolerance {
  /** Step of the central differences, relative to the input's size above 1 (see numerical_derivative.ts). */
  eps: number;
  atol: number;
  rtol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { eps: 1e-6, atol: 1e-5, rtol: 1e-3 };
