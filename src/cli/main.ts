/** `gradlens run file.ts`: the runner from a terminal, usable in a project's own CI through its exit code. */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { readReportAssets, renderHtmlReport } from "../runner/htmlReport";
import { runSnippet } from "../runner/run";
import { parseArgs, USAGE, UsageError } from "./args";
import { checkReport, COLOR, failsOn, findingsReport, PLAIN } from "./report";

export const EXIT = { ok: 0, checkFailed: 1, snippetFailed: 2, usage: 64 } as const;

export async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) process.stderr.write(`gradlens: ${e.message}\n\n`);
    process.stderr.write(`${USAGE}\n`);
    return e.message ? EXIT.usage : EXIT.ok;
  }
  const style = process.stdout.isTTY ? COLOR : PLAIN;
  const progress = process.stderr.isTTY ? (m: string) => process.stderr.write(`\r\x1b[2K${m}`) : () => undefined;
  const trace = await runSnippet({
    file: options.file,
    timeoutMs: options.timeoutMs,
    memoryMb: options.memoryMb,
    checkBudgetMs: options.checkBudgetMs,
    onProgress: progress,
    onConsole: (line) => (line.stream === "log" ? process.stdout : process.stderr).write(`${line.text}\n`),
  });
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
  if (trace.error) {
    const e = trace.error;
    process.stderr.write(`${style.bad(`${e.name}: ${e.message}`)}\n  at ${path.relative(process.cwd(), e.file) || e.file}${e.at ? `:${e.at.line}` : ""}\n`);
  }
  if (!options.quiet && trace.backwards.length) process.stdout.write(`\n${checkReport(trace, style)}\n`);
  if (!options.quiet && trace.findings.length) process.stdout.write(`\n${findingsReport(trace.findings, style)}\n`);
  if (options.json) writeFileSync(options.json, JSON.stringify(trace));
  if (options.html) writeFileSync(options.html, renderHtmlReport(trace, readReportAssets(__dirname)));
  if (trace.status === "ok" && failsOn(trace.findings, options.failOn)) return EXIT.checkFailed;
  return trace.status === "ok" ? EXIT.ok : trace.status === "check-failed" ? EXIT.checkFailed : EXIT.snippetFailed;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e) => {
      process.stderr.write(`gradlens: ${(e as Error).stack ?? e}\n`);
      process.exitCode = EXIT.snippetFailed;
    },
  );
}
