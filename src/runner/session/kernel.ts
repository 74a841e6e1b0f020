/**
 * The notebook kernel: a child process that holds one notebook's variables and runs its cells on request (see
 * cellExecutor.ts). Started by session.ts with the memory limit; talks over Node's IPC channel.
 */
import { CellExecutor } from "./cellExecutor";
import { isHostMessage, type KernelMessage } from "./protocol";

// Enough frames to see through a recursion (the default is 10).
Error.stackTraceLimit = 50;

const send = (m: KernelMessage) => process.send?.(m);
const executor = new CellExecutor(send);

process.on("message", (m: unknown) => {
  if (!isHostMessage(m)) {
    process.stderr.write(`gradlens kernel: ignored a malformed message: ${JSON.stringify(m)?.slice(0, 200)}\n`);
    return;
  }
  if (m.type === "run") void executor.run(m);
  else executor.interrupt(m.id);
});
// SIGINT outside a running script (a cell awaiting) must not end the kernel: it interrupts that cell.
process.on("SIGINT", () => executor.interrupt(null));
// A callback a cell left behind (a timer) that throws later must not end the kernel either.
process.on("uncaughtException", (e) => process.stderr.write(`gradlens kernel: uncaught exception outside a cell: ${e.stack ?? e}\n`));
process.on("unhandledRejection", (e) => process.stderr.write(`gradlens kernel: unhandled rejection outside a cell: ${String(e)}\n`));
process.on("disconnect", () => process.exit(0));

send({ type: "ready", pid: process.pid });
