/**
 * The result channel: frames from the child to the host on fd 3. A frame is
 *
 *   token (16 bytes) · payload length (uint32, little-endian) · payload (v8.serialize of one ChildMessage)
 *
 * The token is a random secret the host sends on the child's stdin before any snippet runs; the child's runner holds
 * it only in a closure. A snippet can write bytes to fd 3 (it runs with the user's rights), but not a frame that
 * starts with the token: the host reads anything else as a protocol error and reports an internal error, never a
 * result. Writes are synchronous, so a message leaves even while the snippet keeps its thread busy.
 */
import { timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import { deserialize, serialize } from "node:v8";
import { type ChildMessage, ProtocolError, validateChildMessage } from "./protocol";

export const TOKEN_BYTES = 16;
const HEADER_BYTES = TOKEN_BYTES + 4;
/** Far above any honest message (the values on demand are capped at 32 MB): a length past it is a broken frame. */
export const MAX_FRAME_BYTES = 1 << 30;

/** fs.writeSync as it was when the runner loaded: a snippet that replaces it later does not see the token go by. */
const writeSync = fs.writeSync;

/** Writes `buffer` whole to a blocking or non-blocking descriptor. */
export function writeFully(fd: number, buffer: Uint8Array): void {
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(fd, buffer, offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      // The host has not read yet: wait a little without spinning.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
    }
  }
}

/** The child's end: one frame per message. */
export function frameWriter(fd: number, token: Buffer): (message: ChildMessage) => void {
  if (token.length !== TOKEN_BYTES) throw new Error("the runner's token must be 16 bytes");
  // The token's bytes are only ever handed to writeSync (taken at load): no method a snippet could replace touches them.
  const secret = new Uint8Array(TOKEN_BYTES);
  for (let i = 0; i < TOKEN_BYTES; i++) secret[i] = token[i];
  return (message) => {
    const payload = serialize(message);
    if (payload.length > MAX_FRAME_BYTES) throw new RangeError(`a ${message.type} message of ${payload.length} bytes is too big for the runner's channel`);
    const length = new Uint8Array(4);
    for (let i = 0, n = payload.length; i < 4; i++, n = Math.floor(n / 256)) length[i] = n % 256;
    writeFully(fd, secret);
    writeFully(fd, length);
    writeFully(fd, payload);
  };
}

function foreign(): ProtocolError {
  return new ProtocolError("the runner's channel carried bytes that are not the runner's (did the snippet write to file descriptor 3?)");
}

/** The host's end: feed it what arrives on fd 3; it calls `onMessage` with each validated message, or throws a
 * ProtocolError for the first frame that is not one (after which the channel is dead). */
export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private broken = false;
  private readonly token: Buffer;

  constructor(token: Buffer, private readonly onMessage: (message: ChildMessage) => void) {
    this.token = Buffer.from(token);
  }

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    try {
      this.drain();
    } catch (e) {
      this.broken = true;
      this.chunks = [];
      throw e instanceof ProtocolError ? e : new ProtocolError(`unreadable message from the snippet's process: ${(e as Error).message}`);
    }
  }

  /** Bytes received that do not yet make a whole frame (at the end of a run: a frame cut short). */
  get pendingBytes(): number {
    return this.buffered;
  }

  private drain(): void {
    // Bytes that cannot begin the token are foreign at once: no need to wait for a whole header that may never come.
    if (this.buffered > 0 && this.buffered < HEADER_BYTES) {
      const start = this.peek(Math.min(this.buffered, TOKEN_BYTES));
      if (!start.equals(this.token.subarray(0, start.length))) throw foreign();
    }
    while (this.buffered >= HEADER_BYTES) {
      const header = this.peek(HEADER_BYTES);
      if (!timingSafeEqual(header.subarray(0, TOKEN_BYTES), this.token)) throw foreign();
      const length = header.readUInt32LE(TOKEN_BYTES);
      if (length > MAX_FRAME_BYTES) throw new ProtocolError(`a frame of ${length} bytes on the runner's channel`);
      if (this.buffered < HEADER_BYTES + length) return;
      const frame = this.take(HEADER_BYTES + length);
      this.onMessage(validateChildMessage(deserialize(frame.subarray(HEADER_BYTES))));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const frame = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return frame;
  }
}
