/**
 * Snippet source → runnable, instrumented JavaScript, with every line where the user wrote it.
 *
 * Why sucrase + acorn and not esbuild at run time: sucrase strips TypeScript without moving any line, and the
 * instrumentation below only inserts text within lines, so a line number in a stack trace, a recorded tensor or an
 * error is the user's own, with no source maps to compose. Both are plain JavaScript: the .vsix needs no per-platform
 * native binary, and it needs no service process of its own (esbuild's) beside the child a snippet runs in.
 */
import { transform } from "sucrase";
import { instrument } from "./instrument";

export class SnippetSyntaxError extends Error {
  override name = "SyntaxError";
  constructor(
    message: string,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(message);
  }
}

export interface Transpiled {
  /** The body of an async function taking (__gl, __gradlens, __require, console). */
  code: string;
}

export function transpile(source: string, file: string): Transpiled {
  return { code: instrumentUserCode(stripTypes(source, file), file) };
}

/** How syntax errors are worded: a notebook cell's output already says which cell, so its messages leave out the
 * file name sucrase puts first ("Error transforming /nb.ipynb#cell-3: …"). */
export interface SyntaxErrorWording {
  dropFileName?: boolean;
}

/** TypeScript → JavaScript with every line where it was (sucrase); a syntax error names the user's line. */
export function stripTypes(source: string, file: string, wording: SyntaxErrorWording = {}): string {
  try {
    return transform(source, { transforms: ["typescript"], filePath: file, keepUnusedImports: true }).code;
  } catch (e) {
    throw syntaxError(e, source, wording);
  }
}

/** instrument(js), with a parse error turned into a SnippetSyntaxError at its line in `js`. */
export function instrumentUserCode(js: string, file: string, wording: SyntaxErrorWording = {}): string {
  try {
    return instrument(js, file);
  } catch (e) {
    if (e instanceof SnippetSyntaxError) throw e;
    throw syntaxError(e, js, wording);
  }
}

/** A sucrase or acorn error as a SnippetSyntaxError, with the line and column (1-based) it names in `source`. */
export function syntaxError(e: unknown, source: string, wording: SyntaxErrorWording = {}): SnippetSyntaxError {
  const err = e as { message?: string; loc?: { line: number; column: number } | number; pos?: number };
  let line: number | null = null;
  let column: number | null = null;
  if (err.loc && typeof err.loc === "object") {
    line = err.loc.line;
    column = err.loc.column + 1;
  } else {
    const pos = typeof err.pos === "number" ? err.pos : typeof err.loc === "number" ? err.loc : null;
    if (pos !== null) {
      const before = source.slice(0, pos).split("\n");
      line = before.length;
      column = before[before.length - 1].length + 1;
    }
  }
  let message = String(err.message ?? e);
  if (wording.dropFileName) message = message.replace(/^Error transforming [^:]*: /, "");
  message = message.replace(/\s*\(\d+:\d+\)\s*$/, "");
  return new SnippetSyntaxError(message, line, column);
}
