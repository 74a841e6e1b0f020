/**
 * autograd.gradcheck, as PyTorch's: the analytical Jacobian of fn (by backward passes) against central differences,
 * element by element; or, in fast mode, one random projection uᵀJv of each. True, or a GradcheckError that names the
 * output, the input, the element and both values.
 */
import { noGrad } from "./grad_mode";
import { allocate, float64Copy } from "../dtype";
import { RuntimeError } from "../errors";
import { formatTensor } from "../print";
import { warn } from "../recorder";
import { Tensor } from "../tensor";
import { grad } from "./backward";
import { CheckRandom } from "./check_random";
import { DEFAULT_TOLERANCE, type Tolerance } from "./tolerance";

export class GradcheckError extends RuntimeError {
  override name = "GradcheckError";
}

export interface GradcheckOptions extends Partial<Tolerance> {
  fastMode?: boolean;
  /** Return false instead of throwing (PyTorch's raise_exception=False). */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | Tensor[];

function outputsOf(fn: Fn, inputs: Tensor[]): Tensor[] {
  const out = fn(...inputs);
  return Array.isArray(out) ? out : [out];
}

export function gradcheck(fn: Fn, inputs: Tensor | Tensor[], options: GradcheckOptions = {}): boolean {
  const tol: Tolerance = { eps: options.eps ?? DEFAULT_TOLERANCE.eps, atol: options.atol ?? DEFAULT_TOLERANCE.atol, rtol: options.rtol ?? DEFAULT_TOLERANCE.rtol };
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  const differentiable = xs.map((x, i) => ({ x, i })).filter(({ x }) => x.requiresGrad);
  if (!differentiable.length) throw new RuntimeError("gradcheck expects at least one input tensor to require gradient, but none of the them have requires_grad=True.");
  for (const { x, i } of differentiable) {
    if (x.dtype !== "float64") warn(`Input #${i} requires gradient and is not a double precision floating point. This check will likely fail if all the inputs are not of double precision floating point.`);
  }
  try {
    if (options.fastMode) fastCheck(fn, xs, differentiable, tol);
    else fullCheck(fn, xs, differentiable, tol);
    return true;
  } catch (e) {
    if (e instanceof GradcheckError && options.raiseException === false) return false;
    throw e;
  }
}

/** Central difference of every output element w.r.t. element k of input x, perturbing x in place as PyTorch does. */
function numericalColumn(fn: Fn, xs: Tensor[], x: Tensor, k: number, eps: number): Float64Array[] {
  const data = x._data;
  const original = data[k];
  return noGrad(() => {
    data[k] = original + eps;
    const plus = outputsOf(fn, xs).map((o) => float64Copy(o._data));
    data[k] = original - eps;
    const minus = outputsOf(fn, xs).map((o) => float64Copy(o._data));
    data[k] = original;
    return plus.map((p, o) => p.map((v, j) => (v - minus[o][j]) / (2 * eps)));
  });
}

function fullCheck(fn: Fn, xs: Tensor[], differentiable: Array<{ x: Tensor; i: number }>, tol: Tolerance): void {
  const outputs = outputsOf(fn, xs);
  outputs.forEach((out, o) => {
    if (!out.requiresGrad) return;
    const m = out.numel();
    // Analytical Jacobian, one row per output element: J[row][input][k].
    const rows = Array.from({ length: m }, (_, r) => {
      const v = Tensor.fromData(allocate(out.dtype, m), out.shape.slice(), out.dtype);
      v._data[r] = 1;
      return grad(out, differentiable.map((d) => d.x), { gradOutputs: v, retainGraph: true, allowUnused: true });
    });
    differentiable.forEach(({ x, i }, di) => {
      const n = x.numel();
      const numerical = allocate("float64", m * n) as Float64Array;
      const analytical = allocate("float64", m * n) as Float64Array;
      for (let k = 0; k < n; k++) {
        const column = numericalColumn(fn, xs, x, k, tol.eps)[o];
        for (let r = 0; r < m; r++) {
          numerical[k * m + r] = column[r];
          analytical[k * m + r] = rows[r][di]?._data[k] ?? 0;
        }
      }
      for (let e = 0; e < m * n; e++) {
        const a = analytical[e];
        const num = numerical[e];
        if (!(Math.abs(a - num) <= tol.atol + tol.rtol * Math.abs(num))) {
          const k = Math.floor(e / m);
          const r = e % m;
          const show = (d: Float64Array) => formatTensor({ shape: [n, m], dtype: "float64", values: d });
          throw new GradcheckError(
            `Jacobian mismatch for output ${o} with respect to input ${i},\nnumerical:${show(numerical)}\nanalytical:${show(analytical)}\n\n` +
              `The first mismatch is d(output ${o})[${r}] / d(input ${i})[${k}]: numerical ${num}, analytical ${a}.`,
          );
        }
      }
    });
  });
}

function fastCheck(fn: Fn, xs: Tensor[], differentiable: Array<{ x: Tensor; i: number }>, tol: Tolerance): void {
  const random = new CheckRandom(42);
  const outputs = outputsOf(fn, xs);
  outputs.forEach((out, o) => {
    if (!out.requiresGrad) return;
    const v = Tensor.fromData(random.vector(out.numel()), out.shape.slice(), "float64");
    const grads = grad(out, differentiable.map((d) => d.x), { gradOutputs: v.to(out.dtype), retainGraph: true, allowUnused: true });
    differentiable.forEach(({ x, i }, di) => {
      const u = random.vector(x.numel());
      let analytical = 0;
      const g = grads[di];
      if (g) {
        const gd = g._data;
        for (let k = 0; k < u.length; k++) analytical += gd[k] * u[k];
      }
      const data = x._data;
      const original = float64Copy(data);
      const project = (sign: number) =>
        noGrad(() => {
          for (let k = 0; k < u.length; k++) data[k] = original[k] + sign * tol.eps * u[k];
          const y = outputsOf(fn, xs)[o];
          let s = 0;
          const yd = y._data;
          const vd = v._data;
          for (let j = 0; j < yd.length; j++) s += yd[j] * vd[j];
          return s;
        });
      const numerical = (project(1) - project(-1)) / (2 * tol.eps);
      data.set(original);
      if (!(Math.abs(analytical - numerical) <= tol.atol + tol.rtol * Math.abs(numerical))) {
        throw new GradcheckError(
          `Jacobian mismatch for output ${o} with respect to input ${i} (fast mode: random projections uᵀJv),\nnumerical:${numerical}\nanalytical:${analytical}`,
        );
      }
    });
  });
}
