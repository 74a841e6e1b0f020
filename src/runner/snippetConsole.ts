/**
 * The snippet's `console`: lines go to the host in batches, up to the run's limits of lines and bytes; past them,
 * calls are only counted (without formatting their arguments), so a snippet that prints in an endless loop costs
 * little and the host receives a bounded amount. The host says "… N more lines not shown".
 */
import { formatConsoleArgs } from "./consoleFormat";
import type { ConsoleLine, SourceLocation } from "./trace";

export interface ConsoleLimits {
  lines: number;
  bytes: number;
}

/** A batch leaves when it has this many lines or bytes, or when the previous one left this long ago. */
const BATCH_LINES = 200;
const BATCH_BYTES = 64 * 1024;
const BATCH_MS = 20;

export type SnippetConsole = Pick<Console, "log" | "info" | "warn" | "error" | "debug">;

export class ConsoleSink {
  droppedLines = 0;
  droppedBytes = 0;
  private shownLines = 0;
  private shownBytes = 0;
  private batch: ConsoleLine[] = [];
  private batchBytes = 0;
  private lastSent = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly limits: ConsoleLimits,
    private readonly send: (lines: ConsoleLine[], droppedSoFar: number) => void,
    private readonly where: () => SourceLocation | null,
    /** The real setTimeout (the snippet's may be wrapped). */
    private readonly schedule: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>,
    private readonly unschedule: (t: ReturnType<typeof setTimeout>) => void,
  ) {}

  console(): SnippetConsole {
    const emit = (stream: ConsoleLine["stream"]) => (...args: unknown[]) => this.emit(stream, args);
    return { log: emit("log"), info: emit("log"), debug: emit("log"), warn: emit("warn"), error: emit("error") };
  }

  emit(stream: ConsoleLine["stream"], args: unknown[]): void {
    if (this.shownLines >= this.limits.lines || this.shownBytes >= this.limits.bytes) {
      this.droppedLines++;
      // Past the caps the host still hears, now and then, how many were dropped (and the last batch leaves).
      if ((this.droppedLines & 1023) === 1 && performance.now() - this.lastSent >= BATCH_MS) this.flush(true);
      return;
    }
    let text = formatConsoleArgs(args);
    const room = this.limits.bytes - this.shownBytes;
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit: only long text needs counting.
    let bytes = text.length * 3 <= room ? Buffer.byteLength(text) : Buffer.byteLength(text.slice(0, room + 1));
    if (bytes > room) {
      const cut = text.slice(0, room);
      this.droppedBytes += Buffer.byteLength(text) - Buffer.byteLength(cut);
      text = `${cut}… (line cut at the console limit of ${this.limits.bytes.toLocaleString("en-US")} bytes)`;
      bytes = room;
    }
    this.shownLines++;
    this.shownBytes += bytes;
    this.batch.push({ stream, text, at: this.where() });
    this.batchBytes += bytes;
    const now = performance.now();
    if (this.batch.length >= BATCH_LINES || this.batchBytes >= BATCH_BYTES || now - this.lastSent >= BATCH_MS) this.flush();
    else this.timer ??= this.schedule(() => this.flush(), BATCH_MS);
  }

  /** Sends what is waiting (and, with `always`, the count of dropped lines even when no line waits). */
  flush(always = false): void {
    if (this.timer) this.unschedule(this.timer);
    this.timer = null;
    if (!this.batch.length && !always) return;
    const lines = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.lastSent = performance.now();
    this.send(lines, this.droppedLines);
  }
}
