/**
 * The host's side of a child process (child.ts): start it with the limits it must have from birth (its V8 heap, set
 * on the command line, with NODE_OPTIONS removed so the environment cannot raise it), read its frames and watchdog
 * lines, and tell how it ended. A pool keeps one child started and loaded ahead of the next run; a child that ran a
 * snippet is never given another (unless it was started as a session).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { Readable, Writable } from "node:stream";
import * as path from "node:path";
import { FrameReader } from "./channel";
import { type ChildMessage, type HostMessage, parseWatchdogLine, ProtocolError, type WatchdogMessage } from "./protocol";

/** dist/runner-child.js: beside this bundle when built, or in the repository's dist/ when run from sources. */
export function childScriptPath(): string {
  const candidates = [path.join(__dirname, "runner-child.js"), path.join(__dirname, "..", "..", "dist", "runner-child.js")];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`Gradlens: the runner's child bundle is missing (looked in ${candidates.join(", ")}); run npm run build`);
  return found;
}

/** The environment of a child: the host's, without what would change how Node runs it. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // --max-old-space-size in NODE_OPTIONS would raise the heap limit; --require would run code before the runner's.
  delete env.NODE_OPTIONS;
  // In VS Code, process.execPath is Electron: this makes it a plain Node (as VS Code runs its TypeScript server).
  env.ELECTRON_RUN_AS_NODE = "1";
  return env;
}

export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** V8 aborted the process because its heap was full (it says so on stderr). */
  heapExhausted: boolean;
  /** The last lines the process wrote to stderr before it ended. */
  stderrTail: string;
}

export interface ChildListener {
  onMessage(message: ChildMessage): void;
  onWatchdog(message: WatchdogMessage): void;
  /** What the snippet wrote to stdout or stderr itself (not through console). */
  onOutput(stream: "log" | "error", text: string): void;
  onProtocolError(error: ProtocolError): void;
  onExit(end: ChildEnd): void;
}

const FATAL_HEAP = /Reached heap limit|JavaScript heap out of memory|Fatal JavaScript invalid size error|FATAL ERROR: .*(Allocation failed|CALL_AND_RETRY_LAST)/;
/** What V8 prints before aborting: it is not the snippet's output. */
const FATAL_START = /^<--- Last few GCs --->|^FATAL ERROR:|^#\s*Fatal/;

export class SnippetProcess {
  readonly process: ChildProcess;
  /** Resolves when the child has loaded everything and waits for a run; rejects if it ends first. */
  readonly ready: Promise<void>;
  private listener: ChildListener | null = null;
  private readonly early: ChildMessage[] = [];
  private ended: ChildEnd | null = null;
  private stderrTail = "";
  private fatal = false;
  private killedByHost = false;
  private nextRun = 1;

  constructor(readonly heapMb: number, options: { session?: boolean; warmUp?: boolean } = {}) {
    const session = options.session ?? false;
    const token = randomBytes(16);
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, childScriptPath()], {
      stdio: ["pipe", "pipe", "pipe", "pipe", "pipe"],
      env: childEnv(),
      windowsHide: true,
    });
    this.process = child;
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    // A child that dies while warm is noticed at the next run; nobody may be waiting now.
    this.ready.catch(() => undefined);
    const reader = new FrameReader(token, (m) => {
      if (m.type === "ready") readyResolve();
      else if (this.listener) this.listener.onMessage(m);
      else this.early.push(m);
    });
    (child.stdio[3] as Readable).on("data", (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (e) {
        this.listener?.onProtocolError(e as ProtocolError);
        this.kill();
      }
    });
    lines(child.stdio[4] as Readable, (text) => {
      try {
        this.listener?.onWatchdog(parseWatchdogLine(text));
      } catch (e) {
        this.listener?.onProtocolError(e as ProtocolError);
        this.kill();
      }
    });
    lines(child.stdout!, (text) => this.listener?.onOutput("log", text));
    lines(child.stderr!, (text) => {
      this.stderrTail = (this.stderrTail + text + "\n").slice(-4096);
      if (FATAL_START.test(text)) this.fatal = true;
      if (!this.fatal) this.listener?.onOutput("error", text);
    });
    child.on("error", (e) => readyReject(e));
    child.on("exit", (code, signal) => {
      this.ended = { code, signal, heapExhausted: FATAL_HEAP.test(this.stderrTail), stderrTail: this.stderrTail.trim() };
      readyReject(new Error(`the snippet's process ended before it was ready (${describeEnd(this.ended)})${this.stderrTail ? `: ${this.stderrTail.trim().split("\n").pop()}` : ""}`));
      // stdio may still hold the last lines: let them arrive first.
      setImmediate(() => this.listener?.onExit(this.ended!));
    });
    // The input pipe breaks if the child dies; that is reported through "exit".
    (child.stdin as Writable).on("error", () => undefined);
    this.send({ type: "hello", token: token.toString("hex"), session, warmUp: options.warmUp ?? false });
  }

  get alive(): boolean {
    return this.ended === null && !this.killedByHost;
  }

  /** Whether the host ended it (a limit, a cancel, a protocol error), as opposed to the child ending by itself. */
  get killed(): boolean {
    return this.killedByHost;
  }

  /** A new run id for this child. */
  runId(): number {
    return this.nextRun++;
  }

  /** Who hears about the next messages (and the ones that came before anyone listened). */
  listen(listener: ChildListener | null): void {
    this.listener = listener;
    if (!listener) return;
    for (const m of this.early.splice(0)) listener.onMessage(m);
    if (this.ended) setImmediate(() => listener.onExit(this.ended!));
  }

  send(message: HostMessage): void {
    if (this.ended) return;
    (this.process.stdin as Writable).write(`${JSON.stringify(message)}\n`);
  }

  kill(): void {
    if (this.ended || this.killedByHost) return;
    this.killedByHost = true;
    this.process.kill("SIGKILL");
  }

  /** A waiting child must not keep the host's process alive. */
  unref(): void {
    this.process.unref();
    for (const s of this.process.stdio) (s as unknown as { unref?: () => void } | null)?.unref?.();
  }

  ref(): void {
    this.process.ref();
    for (const s of this.process.stdio) (s as unknown as { ref?: () => void } | null)?.ref?.();
  }
}

export function describeEnd(end: Pick<ChildEnd, "code" | "signal">): string {
  return end.signal ? `signal ${end.signal}` : `exit code ${end.code}`;
}

/** Calls `onLine` with each complete line of a stream (and the unterminated rest when it ends). */
function lines(stream: Readable, onLine: (text: string) => void): void {
  let rest = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    // A line longer than any console line we keep is cut here rather than held whole.
    if (rest.length > 1 << 20) {
      onLine(rest);
      rest = "";
    }
    for (const p of parts) onLine(p);
  });
  stream.on("end", () => {
    if (rest) onLine(rest);
    rest = "";
  });
}

/**
 * One child started ahead, loaded and waiting, so that a run does not pay for starting Node and loading the engine.
 * It is started for the heap limit of the last run (a run with another limit starts its own child).
 */
export class WarmPool {
  private warm: SnippetProcess | null = null;

  /** A child for one run: the waiting one when it fits, else a new one. */
  take(heapMb: number): SnippetProcess {
    const warm = this.warm;
    this.warm = null;
    if (warm && warm.alive && warm.heapMb === heapMb) {
      warm.ref();
      return warm;
    }
    warm?.kill();
    return new SnippetProcess(heapMb);
  }

  /** Starts the next child, unless one is already waiting; resolves when it is ready (or has died trying). */
  refill(heapMb: number): Promise<void> {
    if (!(this.warm?.alive && this.warm.heapMb === heapMb)) {
      this.warm?.kill();
      this.warm = new SnippetProcess(heapMb, { warmUp: true });
      this.warm.unref();
    }
    return this.warm.ready.catch(() => undefined);
  }

  dispose(): void {
    this.warm?.kill();
    this.warm = null;
  }
}
