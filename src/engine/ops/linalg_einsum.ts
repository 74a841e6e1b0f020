/**
 * torch.einsum as ATen 1.13 lowers it (no opt_einsum path), so the graph holds PyTorch's nodes: each operand's
 * repeated labels taken as diagonals (DiagonalBackward0, then a movedim's PermuteBackward0), missing labels unsqueezed,
 * the operand permuted to a common label order; then, left to right, dims only one side still needs summed away and
 * the pair contracted by permute → reshape → bmm → view → permute (a plain mul when nothing is summed); finally the
 * contracted dims viewed away (or, for one operand, summed). Labels: a-z, A-Z, `...` for broadcast dims; the output
 * is explicit after `->`, or the labels seen once in alphabetical order (upper case first) after the ellipsis dims.
 */
import { RuntimeError, ValueError } from "../errors";
import { Tensor } from "../tensor";
import { bmmFlags } from "./linalg";

const LETTERS = 26;
const TOTAL = LETTERS * 2;
const ELLIPSIS = TOTAL;

function subscriptOf(c: string): number {
  return c >= "A" && c <= "Z" ? c.charCodeAt(0) - 65 : c.charCodeAt(0) - 97 + LETTERS;
}

function labelOf(s: number): string {
  return s < LETTERS ? String.fromCharCode(65 + s) : String.fromCharCode(97 + s - LETTERS);
}

function isLetter(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
}

/** `(left * right).sum(sumDims)` by permutation and one bmm, keeping the summed dims as 1 (ATen's sumproduct_pair). */
function sumproductPair(left0: Tensor, right0: Tensor, sumDims: number[]): Tensor {
  if (sumDims.length === 0) return left0.mul(right0);
  let left = left0;
  let right = right0;
  const dim = left.ndim;
  const summed = new Set(sumDims);
  const lro: number[] = [];
  const lo: number[] = [];
  const ro: number[] = [];
  let lroSize = 1;
  let loSize = 1;
  let roSize = 1;
  let sumSize = 1;
  for (let i = 0; i < dim; i++) {
    const sl = left.shape[i] !== 1;
    const sr = right.shape[i] !== 1;
    if (summed.has(i)) {
      if (sl && sr) {
        if (left.shape[i] !== right.shape[i]) throw new RuntimeError("non-broadcast dimensions must match");
        sumSize *= left.shape[i];
      } else if (sl) left = left.sum(i, true);
      else if (sr) right = right.sum(i, true);
    } else if (sl && sr) {
      if (left.shape[i] !== right.shape[i]) throw new RuntimeError("non-broadcast dimensions must match");
      lro.push(i);
      lroSize *= left.shape[i];
    } else if (sl) {
      lo.push(i);
      loSize *= left.shape[i];
    } else {
      ro.push(i);
      roSize *= right.shape[i];
    }
  }
  const outSize = [...lro.map((d) => left.shape[d]), ...lo.map((d) => left.shape[d]), ...sumDims.map(() => 1), ...ro.map((d) => right.shape[d])];
  const lperm = [...lro, ...lo, ...sumDims, ...ro];
  const rperm = [...lro, ...sumDims, ...ro, ...lo];
  const operm = new Array<number>(outSize.length).fill(-1);
  [...lro, ...lo, ...sumDims, ...ro].forEach((d, i) => (operm[d] = i));
  const l = left.permute(lperm).reshape([lroSize, loSize, sumSize]);
  const r = right.permute(rperm).reshape([lroSize, sumSize, roSize]);
  return bmmFlags(l, r, false, false).view(outSize).permute(operm);
}

/** The equation of the sublist form `einsum(a, [0, 1], b, [1, 2], [0, 2])` (0–25 are A–Z, 26–51 a–z). */
function sublistEquation(args: ReadonlyArray<Tensor | readonly number[]>): { equation: string; operands: Tensor[] } {
  const sub = (list: readonly number[]) =>
    list
      .map((n) => {
        if (!(Number.isInteger(n) && n >= 0 && n < TOTAL)) throw new ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)");
        return n < LETTERS ? String.fromCharCode(65 + n) : String.fromCharCode(97 + n - LETTERS);
      })
      .join("");
  const operands: Tensor[] = [];
  const lists: string[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    operands.push(args[i] as Tensor);
    lists.push(sub(args[i + 1] as readonly number[]));
  }
  let equation = lists.join(",");
  if (args.length % 2 === 1) equation += `->${sub(args[args.length - 1] as readonly number[])}`;
  return { equation, operands };
}

/**
 * torch.einsum("ij,jk->ik", a, b), also einsum(equation, [a, b]) and the sublist form einsum(a, [0, 1], b, [1, 2]).
 */
export function einsum(equation: string, ...operands: Tensor[] | [Tensor[]]): Tensor;
export function einsum(...args: Array<Tensor | readonly number[]>): Tensor;
export function einsum(...args: unknown[]): Tensor {
  if (args.length < 2) throw new ValueError("einsum(): must specify the equation string and at least one operand, or at least one operand and its subscripts list");
  let equation: string;
  let operands: Tensor[];
  if (args[0] instanceof Tensor) ({ equation, operands } = sublistEquation(args as Array<Tensor | number[]>));
  else {
    equation = args[0] as string;
    operands = args.length === 2 && Array.isArray(args[1]) ? (args[1] as Tensor[]) : (args.slice(1) as Tensor[]);
  }
  return einsumOperands(equation, operands);
}

function einsumOperands(equation: string, operands: Tensor[]): Tensor {
  if (!operands.length) throw new RuntimeError("einsum(): must provide at least one operand");
  const numOps = operands.length;
  const arrow = equation.indexOf("->");
  const lhs = arrow < 0 ? equation : equation.slice(0, arrow);
  const opLabels: number[][] = Array.from({ length: numOps }, () => []);
  let ellInInput = false;
  let curr = 0;
  for (let i = 0; i < lhs.length; i++) {
    const c = lhs[i];
    if (c === " ") continue;
    if (c === ".") {
      if (ellInInput) throw new RuntimeError(`einsum(): found '.' for operand ${curr} for which an ellipsis was already found`);
      if (!(i + 2 < lhs.length && lhs[++i] === "." && lhs[++i] === ".")) throw new RuntimeError(`einsum(): found '.' for operand ${curr} that is not part of any ellipsis`);
      opLabels[curr].push(ELLIPSIS);
      ellInInput = true;
    } else if (c === ",") {
      curr++;
      if (curr >= numOps) throw new RuntimeError("einsum(): fewer operands were provided than specified in the equation");
      ellInInput = false;
    } else {
      if (!isLetter(c)) throw new RuntimeError(`einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`);
      opLabels[curr].push(subscriptOf(c));
    }
  }
  if (curr !== numOps - 1) throw new RuntimeError("einsum(): more operands were provided than specified in the equation");

  const labelCount = new Array<number>(TOTAL).fill(0);
  let ellNumDim = 0;
  operands.forEach((op, i) => {
    let nlabels = opLabels[i].length;
    let hasEllipsis = false;
    for (const label of opLabels[i]) {
      if (label === ELLIPSIS) {
        nlabels--;
        hasEllipsis = true;
        ellNumDim = Math.max(ellNumDim, op.ndim - nlabels);
      } else labelCount[label]++;
    }
    if (hasEllipsis ? nlabels > op.ndim : nlabels !== op.ndim) {
      throw new RuntimeError(
        `einsum(): the number of subscripts in the equation (${nlabels}) ${hasEllipsis ? "is more than the number of dimensions (" : "does not match the number of dimensions ("}${op.ndim}) for operand ${i}${hasEllipsis ? "" : " and no ellipsis was given"}`,
      );
    }
  });

  // Each label's place in the common order: the output's dims first, then the contracted ones.
  const permIndexOf = new Array<number>(TOTAL).fill(-1);
  let permIndex = 0;
  let ellIndex = 0;
  let ellInOutput = false;
  if (arrow < 0) {
    permIndex = ellNumDim;
    ellInOutput = true;
    for (let label = 0; label < TOTAL; label++) if (labelCount[label] === 1) permIndexOf[label] = permIndex++;
  } else {
    const rhs = equation.slice(arrow + 2);
    for (let i = 0; i < rhs.length; i++) {
      const c = rhs[i];
      if (c === " ") continue;
      if (c === ".") {
        if (ellInOutput) throw new RuntimeError("einsum(): found '.' for output but an ellipsis (...) was already found");
        if (!(i + 2 < rhs.length && rhs[++i] === "." && rhs[++i] === ".")) throw new RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)");
        ellIndex = permIndex;
        permIndex += ellNumDim;
        ellInOutput = true;
        continue;
      }
      if (!isLetter(c)) throw new RuntimeError(`einsum(): invalid subscript given at index ${lhs.length + 2 + i} in the equation string, subscripts must be in [a-zA-Z]`);
      const s = subscriptOf(c);
      if (!(labelCount[s] > 0 && permIndexOf[s] === -1)) {
        throw new RuntimeError(`einsum(): output subscript ${c}${permIndexOf[s] > -1 ? " appears more than once in the output" : " does not appear in the equation for any input operand"}`);
      }
      permIndexOf[s] = permIndex++;
    }
  }
  const outNumDim = permIndex;
  if (!ellInOutput) {
    ellIndex = permIndex;
    permIndex += ellNumDim;
  }
  for (let label = 0; label < TOTAL; label++) if (labelCount[label] > 0 && permIndexOf[label] === -1) permIndexOf[label] = permIndex++;

  // Diagonals for repeated labels, unsqueezes for missing ones, and a permute to the common order.
  const labelSize = new Array<number>(TOTAL).fill(1);
  const ellSizes = new Array<number>(ellNumDim).fill(1);
  const dimCounts = new Array<number>(permIndex).fill(0);
  const ops: Tensor[] = [];
  operands.forEach((operand, i) => {
    let op = operand;
    const permutation = new Array<number>(permIndex).fill(-1);
    let dim = 0;
    for (const s of opLabels[i]) {
      if (s === ELLIPSIS) {
        const ndim = operand.ndim - (opLabels[i].length - 1);
        for (let j = ellNumDim - ndim; j < ellNumDim; j++) {
          if (op.shape[dim] !== 1) {
            if (!(ellSizes[j] === 1 || ellSizes[j] === op.shape[dim])) {
              throw new RuntimeError(`einsum(): dimension ${dim} covered by ellipsis in operand ${i}has size ${op.shape[dim]} which does not broadcast with previously seen ellipsis with size ${ellSizes[j]} for the respective dimension`);
            }
            ellSizes[j] = op.shape[dim];
            dimCounts[ellIndex + j]++;
          }
          permutation[ellIndex + j] = dim++;
        }
      } else if (permutation[permIndexOf[s]] === -1) {
        if (op.shape[dim] !== 1) {
          if (!(labelSize[s] === 1 || labelSize[s] === op.shape[dim])) {
            throw new RuntimeError(`einsum(): subscript ${labelOf(s)} has size ${op.shape[dim]} for operand ${i} which does not broadcast with previously seen size ${labelSize[s]}`);
          }
          labelSize[s] = op.shape[dim];
          dimCounts[permIndexOf[s]]++;
        }
        permutation[permIndexOf[s]] = dim++;
      } else {
        const prev = permutation[permIndexOf[s]];
        if (op.shape[dim] !== op.shape[prev]) {
          throw new RuntimeError(`einsum(): subscript ${labelOf(s)} is repeated for operand ${i} but the sizes don't match, ${op.shape[dim]} != ${op.shape[prev]}`);
        }
        op = op.diagonal(0, prev, dim).movedim(-1, prev);
      }
    }
    for (let p = 0; p < permutation.length; p++) {
      if (permutation[p] === -1) {
        op = op.unsqueeze(dim);
        permutation[p] = dim++;
      }
    }
    ops.push(op.permute(permutation));
  });

  // Contract left to right, summing away each dim as soon as no other operand still has it.
  while (ops.length > 1) {
    let a = ops.shift()!;
    let b = ops.shift()!;
    const sumDims: number[] = [];
    const aSum: number[] = [];
    const bSum: number[] = [];
    for (let d = outNumDim; d < permIndex; d++) {
      if (a.shape[d] !== 1 && b.shape[d] !== 1) {
        if (--dimCounts[d] === 1) {
          sumDims.push(d);
          dimCounts[d] = 0;
        }
      } else if (dimCounts[d] === 1) {
        if (a.shape[d] !== 1) {
          aSum.push(d);
          dimCounts[d] = 0;
        } else if (b.shape[d] !== 1) {
          bSum.push(d);
          dimCounts[d] = 0;
        }
      }
    }
    if (aSum.length) a = a.sum(aSum, true);
    if (bSum.length) b = b.sum(bSum, true);
    ops.unshift(sumproductPair(a, b, sumDims));
  }

  if (permIndex - outNumDim > 0) {
    if (numOps > 1) return ops[0].view(ops[0].shape.slice(0, outNumDim));
    return ops[0].sum(Array.from({ length: permIndex - outNumDim }, (_, i) => outNumDim + i));
  }
  return ops[0];
}
