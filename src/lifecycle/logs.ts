import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, renameSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

/** A log over this size is moved aside to `<name>.log.1` when its name is launched or resumed. */
export const LOG_ROTATE_BYTES = 10 * 1024 * 1024;

export function logFileOf(logsFolder: string, name: string): string {
  return join(logsFolder, `${name}.log`);
}

/**
 * Rotates before a new life writes to the log, never while a program holds it open. One old
 * generation is kept; rename neither follows nor replaces through a symlink.
 */
export function rotateLog(path: string): boolean {
  let size: number;
  try {
    const stat = lstatSync(path);
    if (!stat.isFile()) return false;
    size = stat.size;
  } catch {
    return false;
  }
  if (size <= LOG_ROTATE_BYTES) return false;
  renameSync(path, `${path}.1`);
  return true;
}

function openLogForReading(path: string): number | null {
  try {
    // Never through a symlink someone planted in the logs folder.
    return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** The last `count` lines of the log (all of it when shorter), read backwards in blocks; null when there is no log. */
export function lastLines(path: string, count: number): { text: string; size: number } | null {
  const fd = openLogForReading(path);
  if (fd === null) return null;
  try {
    const size = fstatSync(fd).size;
    const block = 64 * 1024;
    let start = size;
    let chunks: Buffer[] = [];
    let newlines = 0;
    // One more newline than lines wanted: the final newline of the file ends the last line.
    while (start > 0 && newlines <= count) {
      const length = Math.min(block, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, start);
      chunks = [chunk, ...chunks];
      for (const byte of chunk) if (byte === 0x0a) newlines++;
    }
    const all = Buffer.concat(chunks);
    let from = 0;
    let seen = 0;
    const wanted = all.at(-1) === 0x0a ? count + 1 : count;
    for (let i = all.length - 1; i >= 0; i--) {
      if (all[i] === 0x0a && ++seen === wanted) {
        from = i + 1;
        break;
      }
    }
    return { text: all.subarray(from).toString('utf8'), size };
  } finally {
    closeSync(fd);
  }
}

/**
 * Calls `onText` with what is appended to the log from byte `offset` on, checking every `intervalMs`,
 * until `signal` aborts. A log that shrinks or is replaced (rotated by a new life) is read again from its start.
 */
export async function followLog(path: string, offset: number, onText: (text: string) => void, signal: AbortSignal, intervalMs = 200): Promise<void> {
  let position = offset;
  let identity = fileIdentity(path);
  while (!signal.aborted) {
    const now = fileIdentity(path);
    if (now !== null && (now.ino !== identity?.ino || now.size < position)) {
      position = 0;
      identity = now;
    }
    if (now !== null && now.size > position) {
      const fd = openLogForReading(path);
      if (fd !== null) {
        try {
          const chunk = Buffer.alloc(now.size - position);
          const read = readSync(fd, chunk, 0, chunk.length, position);
          position += read;
          onText(chunk.subarray(0, read).toString('utf8'));
        } finally {
          closeSync(fd);
        }
      }
    }
    await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  }
}

function fileIdentity(path: string): { ino: number; size: number } | null {
  try {
    const stat = lstatSync(path);
    return stat.isFile() ? { ino: stat.ino, size: stat.size } : null;
  } catch {
    return null;
  }
}
