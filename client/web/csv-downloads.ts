// Big downloads that a slow or stalled client cannot turn against everyone else. A download takes
// one of a few slots (the rest are told to come back: 503 with Retry-After); its rows are written to
// an unlinked temporary file as fast as PostgreSQL gives them, so the database connection goes back
// to the pool when the query ends, not when the client has read everything; the file is then sent
// at the client's pace, and a client that stops reading for `stallMs` is cut off, which frees its
// slot and its file.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomToken } from './keys';

export type DownloadLimits = {
  /** Downloads at once, each holding a database connection while its rows are read. */
  maxConcurrent: number;
  /** A client that reads nothing for this long is cut off. */
  stallMs: number;
};

export const DEFAULT_DOWNLOAD_LIMITS: DownloadLimits = { maxConcurrent: 2, stallMs: 30_000 };

/** Seconds a refused download is told to wait (Retry-After). */
export const DOWNLOAD_RETRY_AFTER_SECONDS = 30;

export type DownloadSlots = { take(): (() => void) | null; readonly inUse: number };

/** A counter of downloads in progress; take() gives the release function, or null when all are taken. */
export function downloadSlots(max: number): DownloadSlots {
  let inUse = 0;
  return {
    take() {
      if (inUse >= max) return null;
      inUse++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        inUse--;
      };
    },
    get inUse() {
      return inUse;
    },
  };
}

const READ_BYTES = 64 * 1024;

/**
 * The chunks, written to a temporary file (unlinked at once: it goes when its handle closes, crash
 * or not), then a stream of the file. `onEnd` runs once, however the stream ends: read to the end,
 * cancelled by the client going away, or cut off after `stallMs` without a read (`onStall` then ends
 * the connection, which the stream alone cannot do while the socket waits to drain).
 */
export async function spooledStream(
  chunks: AsyncIterable<string>,
  options: { stallMs: number; onEnd: () => void; onStall: () => void },
): Promise<ReadableStream<Uint8Array>> {
  const file = path.join(os.tmpdir(), `offboarding-download-${randomToken()}`);
  const handle = await fs.open(file, 'w+', 0o600);
  await fs.unlink(file);
  let position = 0;
  try {
    for await (const chunk of chunks) {
      const { bytesWritten } = await handle.write(chunk, position, 'utf8');
      position += bytesWritten;
    }
  } catch (e) {
    await handle.close();
    throw e;
  }
  const size = position;
  let read = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const end = async () => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    options.onEnd();
    await handle.close().catch(() => undefined);
  };
  let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  // Re-armed at every read: pull() is called only when the client took what was sent before.
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stream?.error(new Error(`the client read nothing for ${options.stallMs} ms`));
      options.onStall();
      void end();
    }, options.stallMs);
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream = controller;
        arm();
      },
      async pull(controller) {
        arm();
        if (read >= size) {
          controller.close();
          await end();
          return;
        }
        const buffer = Buffer.alloc(Math.min(READ_BYTES, size - read));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, read);
        read += bytesRead;
        controller.enqueue(new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead));
      },
      async cancel() {
        await end();
      },
    },
    { highWaterMark: 0 },
  );
}
