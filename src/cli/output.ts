/**
 * The CLI's stdout and stderr. A reader that goes away early (`gradlens run … | head`) closes the pipe: writing on
 * is then pointless, not an error, so EPIPE stops the writes to that stream quietly and the exit code stays the run's.
 */
import type { Writable } from "node:stream";

class Stream {
  private closed = false;

  constructor(private readonly stream: Writable & { isTTY?: boolean }) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") this.closed = true;
      else throw e;
    });
  }

  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  write(text: string): void {
    if (this.closed) return;
    try {
      this.stream.write(text);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EPIPE") this.closed = true;
      else throw e;
    }
  }
}

export class Output {
  private readonly stdout: Stream;
  private readonly stderr: Stream;

  constructor(stdout: Writable = process.stdout, stderr: Writable = process.stderr) {
    this.stdout = new Stream(stdout);
    this.stderr = new Stream(stderr);
  }

  get stdoutIsTTY(): boolean {
    return this.stdout.isTTY;
  }

  get stderrIsTTY(): boolean {
    return this.stderr.isTTY;
  }

  out(text: string): void {
    this.stdout.write(text);
  }

  err(text: string): void {
    this.stderr.write(text);
  }

  /** Ends with `code` once what was written has left. */
  exit(code: number): void {
    process.exitCode = code;
  }
}
