/** Turning what a snippet threw into a SnippetError: kind, message, and the user's own line. */
import { StorageLimitError } from "../engine/dtype";
import type { SnippetError } from "./trace";
import type { SnippetSyntaxError } from "./transpile";

export function syntaxErrorOf(e: SnippetSyntaxError, file: string): SnippetError {
  const at = e.line ? { line: e.line, column: e.column ?? 1 } : null;
  const imports = /^Snippets can import/.test(e.message);
  return { kind: imports ? "import" : "syntax", name: imports ? "ImportError" : "SyntaxError", message: e.message, file, at, stack: null };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The stack's frames in the user's file, and the first one's position. */
function userFrames(stack: string, file: string): { lines: string[]; at: { line: number; column: number } | null; mostFrequent: number | null } {
  const pattern = new RegExp(`${escape(file)}:(\\d+):(\\d+)`);
  const lines: string[] = [];
  const counts = new Map<number, number>();
  let at: { line: number; column: number } | null = null;
  for (const l of stack.split("\n").slice(1)) {
    const m = pattern.exec(l);
    if (!m) continue;
    lines.push(l);
    const line = Number(m[1]);
    counts.set(line, (counts.get(line) ?? 0) + 1);
    at ??= { line, column: Number(m[2]) };
  }
  const mostFrequent = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return { lines: lines.slice(0, 12), at, mostFrequent };
}

export function errorFromThrown(e: unknown, file: string, lastLine: number): SnippetError {
  const err = e instanceof Error ? e : new Error(String(e));
  const stack = err.stack ?? "";
  const { lines, at, mostFrequent } = userFrames(stack, file);
  const overflow = err instanceof RangeError && /Maximum call stack size exceeded/.test(err.message);
  // The memory limit refused a tensor, or the system an array: both are the snippet running out of memory.
  const memory = err instanceof StorageLimitError || (err instanceof RangeError && /Array buffer allocation failed/.test(err.message));
  // In an endless recursion, the line that recurses is the one nearly every frame stands on.
  const where = overflow && mostFrequent ? { line: mostFrequent, column: 1 } : (at ?? (lastLine ? { line: lastLine, column: 1 } : null));
  return {
    kind: overflow ? "stack-overflow" : memory ? "out-of-memory" : "runtime",
    name: err.name,
    message: overflow ? `Maximum call stack size exceeded: endless recursion? (last at line ${where?.line ?? "?"})` : err.message,
    file,
    at: where,
    stack: lines.length ? `${err.name}: ${err.message}\n${lines.join("\n")}` : null,
  };
}
