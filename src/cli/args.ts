/** The command line: `gradlens run file.ts [options]`. */
import { DEFAULT_LIMITS, limitProblem, type RunLimits } from "../runner/limits";

export interface CliOptions extends RunLimits {
  file: string;
  json: string | null;
  html: string | null;
  quiet: boolean;
  /** Print Gradlens's own stack traces on an internal error. */
  debug: boolean;
  /** A notebook: save the outputs into it, as `jupyter nbconvert --execute --inplace` does. */
  write: boolean;
  /** A notebook: go on after a failing cell, as nbconvert's --allow-errors. */
  allowErrors: boolean;
  /** Exit 1 when a finding is at least this severe. */
  failOn: "warning" | "info" | null;
}

/** What `gradlens run` exits with (sysexits.h's numbers for usage, internal and output errors). */
export const EXIT = { ok: 0, checkFailed: 1, snippetFailed: 2, usage: 64, internal: 70, cannotWrite: 73 } as const;

export const USAGE = `Usage: gradlens run <file.ts | notebook.ipynb> [options]

Runs a snippet that imports from "gradlens" in a child process with time, memory and output limits, prints what it
printed, then each backward()'s gradients and their numerical checks. A notebook's TypeScript cells run in order in
one session, each cell's output under its number (In [n]); it stops at a failing cell unless the cell is tagged
raises-exception.

Exit codes:
  0   ran, and every gradient that was checked matches its numerical derivative
  1   a gradient check failed, or (with --fail-on) a finding is that severe
  2   the snippet failed (an error, a time limit, out of memory)
  64  usage error: bad flags, or the input file is missing or unreadable
  70  internal error in Gradlens (run again with --debug and report it)
  73  an output file (--json, --html) cannot be written

Options:
  --json <out.json>       write the Trace (every tensor, node, gradient and check) as JSON
  --html <report.html>    write a self-contained report page with the graph and the checks
  --timeout <ms>          the snippet's own time limit (default ${DEFAULT_LIMITS.timeoutMs}; the checks have their own)
  --check-budget <ms>     time the numerical checks may take in all (default ${DEFAULT_LIMITS.checkBudgetMs})
  --no-check              skip the numerical checks
  --memory <mb>           memory the snippet may use: tensors, objects, both (default ${DEFAULT_LIMITS.memoryMb})
  --console-lines <n>     console lines kept (default ${DEFAULT_LIMITS.consoleLines}); the rest are counted
  --console-bytes <n>     console bytes kept (default ${DEFAULT_LIMITS.consoleBytes})
  --fail-on <severity>    exit 1 when a finding (what looks like a gradient bug) is at least this severe: warning, info
  --quiet                 print only what the snippet printed
  --debug                 on an internal error, print Gradlens's stack trace
  --write                 notebook: save the outputs into the .ipynb (as nbconvert --execute --inplace)
  --allow-errors          notebook: run every cell even after one fails
  -h, --help              show this help`;

export class UsageError extends Error {}

const LIMIT_FLAGS: Record<string, keyof RunLimits> = {
  "--timeout": "timeoutMs",
  "--check-budget": "checkBudgetMs",
  "--memory": "memoryMb",
  "--console-lines": "consoleLines",
  "--console-bytes": "consoleBytes",
};

export function parseArgs(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help") throw new UsageError("");
  if (command !== "run") throw new UsageError(command ? `unknown command '${command}'` : "no command given");
  const options: CliOptions = { file: "", json: null, html: null, quiet: false, debug: false, write: false, allowErrors: false, failOn: null, ...DEFAULT_LIMITS };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined || v === "") throw new UsageError(`${a} needs a value`);
      return v;
    };
    const limit = LIMIT_FLAGS[a];
    if (limit) {
      const text = value();
      const n = /^\s*$/.test(text) ? NaN : Number(text);
      const problem = limitProblem(limit, n);
      if (problem) throw new UsageError(`${a} ${Number.isNaN(n) ? `needs a number, not '${text}'` : problem}`);
      options[limit] = n;
    } else if (a === "--json") options.json = value();
    else if (a === "--html") options.html = value();
    else if (a === "--no-check") options.checkBudgetMs = 0;
    else if (a === "--quiet") options.quiet = true;
    else if (a === "--fail-on") {
      const v = value();
      if (v !== "warning" && v !== "info") throw new UsageError(`--fail-on needs warning or info, not '${v}'`);
      options.failOn = v;
    }
    else if (a === "--debug") options.debug = true;
    else if (a === "--write") options.write = true;
    else if (a === "--allow-errors") options.allowErrors = true;
    else if (a === "-h" || a === "--help") throw new UsageError("");
    else if (a.startsWith("-") && a !== "-") throw new UsageError(`unknown option '${a}'`);
    else if (!options.file) options.file = a;
    else throw new UsageError(`unexpected argument '${a}'`);
  }
  if (!options.file) throw new UsageError("no snippet file given");
  if ((options.write || options.allowErrors) && !options.file.endsWith(".ipynb")) throw new UsageError("--write and --allow-errors are for notebooks (.ipynb)");
  return options;
}
