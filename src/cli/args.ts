/** The command line: `gradlens run file.ts [options]`. */
export interface CliOptions {
  file: string;
  json: string | null;
  html: string | null;
  timeoutMs: number;
  memoryMb: number;
  checkBudgetMs: number;
  quiet: boolean;
  /** Exit 1 when a finding is at least this severe. */
  failOn: "warning" | "info" | null;
}

export const USAGE = `Usage: gradlens run <file.ts> [options]

Runs a snippet that imports from "gradlens", prints what it printed, then each backward()'s gradients and
their numerical checks, then what looks wrong (findings). Exit code: 0 ok, 1 a gradient check failed (or a finding,
with --fail-on), 2 the snippet failed, 64 usage error.

Options:
  --json <out.json>       write the Trace (every tensor, node, gradient and check) as JSON
  --html <report.html>    write a self-contained report page with the graph and the checks
  --timeout <ms>          stop the snippet after this long (default 10000)
  --memory <mb>           memory limit of the snippet (default 512)
  --check-budget <ms>     time the numerical checks may take (default 2000)
  --no-check              skip the numerical checks
  --fail-on <severity>    exit 1 when a finding is at least this severe: warning or info
  --quiet                 print only what the snippet printed
  -h, --help              show this help`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command === "-h" || command === "--help") throw new UsageError("");
  if (command !== "run") throw new UsageError(command ? `unknown command '${command}'` : "no command given");
  const options: CliOptions = { file: "", json: null, html: null, timeoutMs: 10_000, memoryMb: 512, checkBudgetMs: 2000, quiet: false, failOn: null };
  const number = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const v = rest[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--json") options.json = value();
    else if (a === "--html") options.html = value();
    else if (a === "--timeout") options.timeoutMs = number(a, rest[++i]);
    else if (a === "--memory") options.memoryMb = number(a, rest[++i]);
    else if (a === "--check-budget") options.checkBudgetMs = number(a, rest[++i]);
    else if (a === "--no-check") options.checkBudgetMs = 0;
    else if (a === "--quiet") options.quiet = true;
    else if (a === "--fail-on") {
      const v = value();
      if (v !== "warning" && v !== "info") throw new UsageError(`--fail-on needs warning or info, not '${v}'`);
      options.failOn = v;
    }
    else if (a === "-h" || a === "--help") throw new UsageError("");
    else if (a.startsWith("-")) throw new UsageError(`unknown option '${a}'`);
    else if (!options.file) options.file = a;
    else throw new UsageError(`unexpected argument '${a}'`);
  }
  if (!options.file) throw new UsageError("no snippet file given");
  return options;
}
