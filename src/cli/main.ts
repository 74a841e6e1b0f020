/** `gradlens run file.ts`: the runner from a terminal, usable in a project's own CI through its exit code. */
import { accessSync, constants, readFileSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { checkCoverage } from "../runner/coverage";
import { readReportAssets, renderHtmlReport } from "../runner/htmlReport";
import { runSnippet, RunnerError } from "../runner/run";
import type { Trace } from "../runner/trace";
import { type CliOptions, EXIT, parseArgs, USAGE, UsageError } from "./args";
import { runNotebookFile } from "./notebook";
import { checkReport, COLOR, failsOn, findingsReport, PLAIN } from "./report";
import { Output } from "./output";

export { EXIT } from "./args";

class CannotWrite extends Error {}

export async function main(argv: string[], out = new Output()): Promise<number> {
  let options: CliOptions;
  try {
    options = parseArgs(argv);
    checkInput(options.file);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) out.err(`gradlens: ${e.message}\n\n`);
    out.err(`${USAGE}\n`);
    return e.message ? EXIT.usage : EXIT.ok;
  }
  try {
    for (const target of [options.json, options.html]) if (target) checkOutput(target);
    if (options.file.endsWith(".ipynb")) return await runNotebookFile(options, out, write);
    const trace = await run(options, out);
    if (options.json) write(options.json, () => JSON.stringify(trace));
    if (options.html) write(options.html, () => renderHtmlReport(trace, readReportAssets(__dirname)));
    if (trace.status === "ok" && failsOn(trace.findings, options.failOn)) return EXIT.checkFailed;
    return trace.status === "ok" ? EXIT.ok : trace.status === "check-failed" ? EXIT.checkFailed : EXIT.snippetFailed;
  } catch (e) {
    if (e instanceof CannotWrite) {
      out.err(`gradlens: ${e.message}\n`);
      return EXIT.cannotWrite;
    }
    out.err(`gradlens: internal error: ${oneLine(e)}\n`);
    if (options.debug) out.err(`${(e as Error)?.stack ?? String(e)}\n`);
    else if (e instanceof RunnerError && e.origin === "untrusted") out.err("The run's results could not be trusted, so there are none. If the snippet does not write to the runner's file descriptors, please report it with the output of the same command run with --debug.\n");
    else out.err("This is a bug in Gradlens, not in your snippet. Please report it with the output of the same command run with --debug.\n");
    return EXIT.internal;
  }
}

async function run(options: CliOptions, out: Output): Promise<Trace> {
  const style = out.stdoutIsTTY ? COLOR : PLAIN;
  const progress = out.stderrIsTTY ? (m: string) => out.err(`\r\x1b[2K${m}`) : () => undefined;
  const trace = await runSnippet({
    file: options.file,
    timeoutMs: options.timeoutMs,
    checkBudgetMs: options.checkBudgetMs,
    memoryMb: options.memoryMb,
    consoleLines: options.consoleLines,
    consoleBytes: options.consoleBytes,
    keepWarm: false,
    onProgress: progress,
    onConsole: (line) => (line.stream === "log" ? out.out(`${line.text}\n`) : out.err(`${line.text}\n`)),
  });
  if (out.stderrIsTTY) out.err("\r\x1b[2K");
  if (trace.error) {
    const e = trace.error;
    out.err(`${style.bad(`${e.name}: ${e.message}`)}\n  at ${path.relative(process.cwd(), e.file) || e.file}${e.at ? `:${e.at.line}` : ""}\n`);
  }
  if (!options.quiet) {
    if (trace.backwards.length) out.out(`\n${checkReport(trace, style)}\n`);
    if (trace.findings.length) out.out(`\n${findingsReport(trace.findings, style)}\n`);
    const { coverage, text } = checkCoverage(trace);
    if (coverage !== "error") out.out(`\n${coverage === "all" ? style.ok(text) : coverage === "failed" ? style.bad(text) : style.dim(text)}\n`);
  }
  return trace;
}

/** A missing, unreadable or non-file input is a usage error (64), found before anything runs. */
function checkInput(file: string): void {
  try {
    if (!statSync(file).isFile()) throw new UsageError(`${file} is not a file`);
    readFileSync(file, { flag: "r" });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** An output whose folder is missing or not writable is found before the run, not after it. */
function checkOutput(target: string): void {
  const dir = path.dirname(path.resolve(target));
  try {
    if (!statSync(dir).isDirectory()) throw new Error("not a directory");
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new CannotWrite(`cannot write ${target}: ${dir} ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "is not a writable folder"}`);
  }
}

function write(target: string, content: () => string): void {
  const text = content();
  try {
    writeFileSync(target, text);
  } catch (e) {
    throw new CannotWrite(`cannot write ${target}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function oneLine(e: unknown): string {
  const message = e instanceof RunnerError || e instanceof Error ? e.message : String(e);
  return message.split("\n")[0];
}

/** The whole command: runs `main` and sets the exit code, whatever happens. bin/gradlens.js calls it. */
export function cli(argv: string[]): void {
  const out = new Output();
  main(argv, out).then(
    (code) => out.exit(code),
    (e) => {
      out.err(`gradlens: internal error: ${oneLine(e)}\n`);
      out.exit(EXIT.internal);
    },
  );
}

if (require.main === module) cli(process.argv.slice(2));
