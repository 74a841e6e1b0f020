/**
 * The child process a snippet runs in (bundled as dist/runner-child.js; started by childProcess.ts with the host's own
 * Node binary, or VS Code's Electron with ELECTRON_RUN_AS_NODE). It loads the engine, the transpiler and the recorder,
 * says `ready`, and waits for a run. A heap that overflows, a hang or a crash ends this process only; the host sees
 * it and reports it. See README.md in this folder for the protocol.
 *
 * fd 0: the host's messages (JSON lines)   fd 1, 2: what the snippet writes directly (the host shows it as console)
 * fd 3: frames to the host (channel.ts)    fd 4: the watchdog's lines (watchdog.ts)
 */
import { createInterface } from "node:readline";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { frameWriter } from "./channel";
import { DEFAULT_TOLERANCE } from "../engine/autograd/tolerance";
import { type ChildServices, executeRun } from "./execute";
import { type ChildMessage, type HelloMessage, parseHostMessage } from "./protocol";
import { SHARED_BYTES, startWatchdog } from "./watchdog";

const RESULT_FD = 3;
const WATCHDOG_FD = 4;
/** EX_SOFTWARE: the child failed for a reason of its own. */
const INTERNAL_ERROR_EXIT = 70;

// Enough frames to see through a recursion (the default is 10).
Error.stackTraceLimit = 50;

// V8's gc frees unreachable tensors before the memory budget refuses one. Exposed in a context of its own, so that the
// snippet's global scope has no `gc`.
setFlagsFromString("--expose-gc");
const v8gc = runInNewContext("gc") as () => void;

let send: ((message: ChildMessage) => void) | null = null;

async function main(): Promise<void> {
  const input = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const lines = input[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) return;
  const hello = parseHostMessage(first.value) as HelloMessage;
  if (hello.type !== "hello" || !/^[0-9a-f]{32}$/.test(hello.token)) throw new Error("the host's first message must be hello, with a 32-digit token");
  send = frameWriter(RESULT_FD, Buffer.from(hello.token, "hex"));
  const shared = new SharedArrayBuffer(SHARED_BYTES);
  startWatchdog(shared, WATCHDOG_FD);
  const services = {
    send,
    shared: new Int32Array(shared),
    // Two collections: the first moves young ArrayBuffers to the old generation, the second frees them.
    collectGarbage: () => {
      v8gc();
      v8gc();
    },
  };
  if (hello.warmUp) await warmUp(services);
  send({ type: "ready", pid: process.pid });
  for (;;) {
    const next = await lines.next();
    if (next.done) break;
    const message = parseHostMessage(next.value);
    if (message.type === "exit") break;
    if (message.type !== "run") throw new Error(`unexpected ${message.type} message from the host`);
    await executeRun(message, services);
    if (!hello.session) break;
  }
  input.close();
}

/**
 * A run of a small snippet of our own before the first real one, its messages dropped: V8 compiles the transpiler,
 * the engine's common ops, the recorder and the checks now, while nobody waits, rather than during the user's run.
 * It leaves nothing a run can see: each run resets the random generator and records into a recorder of its own.
 */
const WARM_UP = `import { F, nn, tensor, sprintf } from "gradlens";
const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
const y = x.add(2).mul(x.sub(2)).div(3).pow(2).exp().log().tanh().sigmoid().relu().sum();
y.backward();
const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
let loss = F.mseLoss(model.call(x).squeeze(), tensor([1, 2]));
for (let i = 0; i < 3; i++) {
  loss = F.mseLoss(model.call(x).squeeze(), tensor([1, 2]));
  loss.backward();
  console.log(sprintf("%d: %.4e", i, loss), x.grad, x.matmul(x.t()).mean());
}
`;

async function warmUp(services: ChildServices): Promise<void> {
  const quiet: ChildServices = { ...services, send: () => undefined };
  await executeRun({ type: "run", run: 0, file: "/gradlens-warm-up.ts", source: WARM_UP, checkBudgetMs: 500, tolerance: DEFAULT_TOLERANCE, memoryBytes: 2 ** 30, consoleLines: 100, consoleBytes: 65536, resetRandom: true }, quiet);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    const message = `the snippet's process failed: ${(e as Error)?.stack ?? String(e)}`;
    try {
      if (send) send({ type: "failed", run: null, message });
      else process.stderr.write(`${message}\n`);
    } finally {
      process.exit(INTERNAL_ERROR_EXIT);
    }
  },
);
