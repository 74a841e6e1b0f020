/**
 * The program language of scripts/fixtures/views_fixtures.py, run with Gradlens: the same steps that ran in PyTorch,
 * spelled the Gradlens way (Python's `y[0, 1:]` is `y.index([0, Slice(1)])`, `y[i] = v` is `y.indexPut_([i], v)`).
 */
import * as gl from "../../../src/engine";
import type { IndexEntry, Tensor } from "../../../src/engine";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Registers = Map<string, Tensor>;

function isRecord(v: Json): v is { [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function reg(regs: Registers, v: Json): Tensor {
  if (!isRecord(v) || typeof v.reg !== "string") throw new Error(`not a register: ${JSON.stringify(v)}`);
  const t = regs.get(v.reg);
  if (!t) throw new Error(`no register ${v.reg}`);
  return t;
}

function fixtureTensor(v: { [key: string]: Json }): Tensor {
  const dtype = v.dtype as "int64" | "bool" | "float32";
  return gl.tensor(v.tensor as never, { dtype });
}

/** An index entry of the program as Gradlens takes it. */
export function indexEntry(e: Json, regs: Registers): IndexEntry {
  if (e === "...") return gl.Ellipsis;
  if (isRecord(e)) {
    if (Array.isArray(e.slice)) {
      const [start, stop, step] = e.slice as Array<number | null>;
      return gl.Slice(start ?? null, stop ?? null, step ?? null);
    }
    if (typeof e.reg === "string") return reg(regs, e);
    return fixtureTensor(e);
  }
  return e as IndexEntry;
}

function argument(a: Json, regs: Registers): unknown {
  return isRecord(a) && typeof a.reg === "string" ? reg(regs, a) : a;
}

/** PyTorch's snake_case method names, as Gradlens spells them. */
const METHOD: Record<string, string> = { as_strided: "asStrided", tensor_split: "tensorSplit", index_put_: "indexPut_" };

function call(t: Tensor, name: string, args: unknown[]): unknown {
  const method = (t as unknown as Record<string, (...a: unknown[]) => unknown>)[METHOD[name] ?? name];
  if (typeof method !== "function") throw new Error(`Gradlens has no method ${name}`);
  return method.apply(t, args);
}

export function runStep(step: Json[], regs: Registers): void {
  const [kind] = step;
  if (kind === "view") {
    const [, out, src, op, ...args] = step as [string, string, string, string, ...Json[]];
    const t = regs.get(src)!;
    let result: Tensor;
    if (op === "index") result = t.index((args[0] as Json[]).map((e) => indexEntry(e, regs)));
    else if (op === "T") result = t.T;
    else if (op === "mT") result = t.mT;
    else if (["unbind", "split", "chunk", "tensor_split"].includes(op)) {
      const k = args[args.length - 1] as number;
      result = (call(t, op, args.slice(0, -1)) as Tensor[])[k];
    } else result = call(t, op, args) as Tensor;
    regs.set(out, result);
  } else if (kind === "inplace") {
    const [, target, op, ...args] = step as [string, string, string, ...Json[]];
    const t = regs.get(target)!;
    if (op === "setitem") {
      const [idx, value] = args;
      t.indexPut_((idx as Json[]).map((e) => indexEntry(e, regs)), isRecord(value) ? reg(regs, value) : (value as number));
    } else if (op === "index_put_") {
      const [idx, value, accumulate] = args;
      const indices = (idx as Json[]).map((e) => (isRecord(e) ? fixtureTensor(e) : gl.tensor(e as never, { dtype: "int64" })));
      t.indexPut_(indices, isRecord(value) ? reg(regs, value) : (value as number), accumulate as boolean);
    } else call(t, op, args.map((a) => argument(a, regs)));
  } else if (kind === "op") {
    const [, out, src, op, ...args] = step as [string, string, string, string, ...Json[]];
    regs.set(out, call(regs.get(src)!, op, args.map((a) => argument(a, regs))) as Tensor);
  } else throw new Error(`unknown step ${String(kind)}`);
}

/** A random chain's steps (views only, one tensor): the same call forms as runStep's view steps. */
export function runChainStep(t: Tensor, step: Json[]): Tensor {
  const [op, ...args] = step as [string, ...Json[]];
  if (op === "index") return t.index((args[0] as Json[]).map((e) => indexEntry(e, new Map())));
  if (op === "T") return t.T;
  if (op === "mT") return t.mT;
  if (op === "slice") return t.index([...Array<IndexEntry>(args[0] as number).fill(gl.Slice()), gl.Slice(args[1] as number, args[2] as number, args[3] as number)]);
  return call(t, op, args) as Tensor;
}
