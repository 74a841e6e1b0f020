/**
 * The snippet's timers. A run stays open while the snippet has a timer pending (as Node keeps a script alive), so
 * what a `setTimeout` callback does is recorded, and what it throws is reported at its own line; the run ends when the
 * body and its pending timers are done, or at the time limit (a `setInterval` never cleared runs until then).
 * The first error of a callback ends the run, as an uncaught exception ends a Node script.
 */

type Callback = (...args: unknown[]) => unknown;
type Kind = "timeout" | "immediate";

interface TimerGlobals {
  setTimeout: typeof setTimeout;
  setInterval: typeof setInterval;
  setImmediate: typeof setImmediate;
  clearTimeout: typeof clearTimeout;
  clearInterval: typeof clearInterval;
  clearImmediate: typeof clearImmediate;
}

const NAMES = ["setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate"] as const;

/** Node's own timer functions, taken when this module loads (before any snippet can replace them). */
export const realTimers: TimerGlobals = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
};

export class SnippetTimers {
  private readonly pending = new Map<unknown, Kind>();
  private closed = false;
  private wake: (() => void) | null = null;
  private resolveClosed!: () => void;
  /** Settles when the run is closed early (a callback threw). */
  readonly whenClosed = new Promise<void>((resolve) => (this.resolveClosed = resolve));
  private saved: Partial<TimerGlobals> = {};

  constructor(private readonly onError: (e: unknown) => void) {}

  /** Replaces the global timer functions with ones that count what is pending. */
  install(g: TimerGlobals): void {
    for (const name of NAMES) this.saved[name] = g[name] as never;
    const real = realTimers;
    const check = (cb: unknown, name: string): Callback => {
      if (typeof cb !== "function") throw new TypeError(`The "callback" argument of ${name} must be of type function. Received ${typeof cb}`);
      return cb as Callback;
    };
    const timeout = ((cb: unknown, ms?: number, ...args: unknown[]) => {
      const fn = check(cb, "setTimeout");
      const handle = real.setTimeout(() => {
        this.pending.delete(handle);
        this.call(fn, args);
      }, ms);
      this.pending.set(handle, "timeout");
      return handle;
    }) as typeof setTimeout;
    const interval = ((cb: unknown, ms?: number, ...args: unknown[]) => {
      const fn = check(cb, "setInterval");
      const handle = real.setInterval(() => this.call(fn, args), ms);
      this.pending.set(handle, "timeout");
      return handle;
    }) as typeof setInterval;
    const immediate = ((cb: unknown, ...args: unknown[]) => {
      const fn = check(cb, "setImmediate");
      const handle = real.setImmediate(() => {
        this.pending.delete(handle);
        this.call(fn, args);
      });
      this.pending.set(handle, "immediate");
      return handle;
    }) as typeof setImmediate;
    const clear = (handle: unknown) => {
      const kind = this.pending.get(handle);
      this.pending.delete(handle);
      if (kind === "immediate") real.clearImmediate(handle as NodeJS.Immediate);
      else real.clearTimeout(handle as NodeJS.Timeout);
      this.poke();
    };
    Object.assign(g, { setTimeout: timeout, setInterval: interval, setImmediate: immediate, clearTimeout: clear, clearInterval: clear, clearImmediate: clear });
  }

  /** Puts back the functions `install` replaced. */
  uninstall(g: TimerGlobals): void {
    Object.assign(g, this.saved);
  }

  private call(fn: Callback, args: unknown[]): void {
    if (this.closed) return;
    try {
      fn(...args);
    } catch (e) {
      this.onError(e);
    } finally {
      this.poke();
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** Resolves when the snippet has no timer pending (one more turn of the event loop after the last, so that a
   * rejection it left unhandled is reported first), or when the run was closed. */
  async settled(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      if (this.pending.size === 0) {
        await new Promise((resolve) => realTimers.setImmediate(resolve));
        if (this.closed || this.pending.size === 0) return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Ends the run's timers: clears every pending one; callbacks already queued do nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [handle, kind] of this.pending) {
      if (kind === "immediate") realTimers.clearImmediate(handle as NodeJS.Immediate);
      else realTimers.clearTimeout(handle as NodeJS.Timeout);
    }
    this.pending.clear();
    this.poke();
    this.resolveClosed();
  }
}
