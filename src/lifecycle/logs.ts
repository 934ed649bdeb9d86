import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, renameSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { LifelineError } from '../errors.js';

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
  // rename replaces a file, but not a folder or whatever else stands there: that is not ours to remove.
  const old = `${path}.1`;
  try {
    if (!lstatSync(old).isFile()) throw new LifelineError('untrusted', `${old} is not a file (a folder, link or other); lifeline moves the old log there: remove it, then try again`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(path, old);
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

/** Logs are read and copied in blocks of this size: memory stays bounded whatever the log holds (one 600 MB line, a `\r` progress bar). */
const BLOCK_BYTES = 64 * 1024;

/**
 * Where the last `count` lines of the log begin (0 when it has fewer), and its size then; null when
 * there is no log. Read backwards block by block, counting newlines and keeping nothing.
 */
export function lastLinesStart(path: string, count: number): { from: number; size: number } | null {
  const fd = openLogForReading(path);
  if (fd === null) return null;
  try {
    const size = fstatSync(fd).size;
    const block = Buffer.alloc(BLOCK_BYTES);
    let end = size;
    // The final newline of the file ends the last line, so it is not counted as a line break.
    let seen = 0;
    let skipLast = true;
    while (end > 0) {
      const length = Math.min(BLOCK_BYTES, end);
      const start = end - length;
      readSync(fd, block, 0, length, start);
      for (let i = length - 1; i >= 0; i--) {
        if (block[i] !== 0x0a) {
          skipLast = false;
          continue;
        }
        if (skipLast) {
          skipLast = false;
          continue;
        }
        if (++seen === count) return { from: start + i + 1, size };
      }
      end = start;
    }
    return { from: 0, size };
  } finally {
    closeSync(fd);
  }
}

/** Hands the bytes `from`..`to` of the log to `onBytes`, one block at a time. */
export function copyLogRange(path: string, from: number, to: number, onBytes: (bytes: Buffer) => void): number {
  const fd = openLogForReading(path);
  if (fd === null) return from;
  let position = from;
  try {
    const block = Buffer.alloc(BLOCK_BYTES);
    while (position < to) {
      const read = readSync(fd, block, 0, Math.min(BLOCK_BYTES, to - position), position);
      if (read === 0) break;
      onBytes(block.subarray(0, read));
      position += read;
    }
  } finally {
    closeSync(fd);
  }
  return position;
}

/**
 * Hands `onBytes` what is appended to the log from byte `offset` on, checking every `intervalMs`,
 * until `signal` aborts. Bytes, not text: a UTF-8 character written across two reads reaches the
 * terminal whole. A log that shrinks or is replaced (rotated by a new life) is read again from its start.
 */
export async function followLog(path: string, offset: number, onBytes: (bytes: Buffer) => void, signal: AbortSignal, intervalMs = 200): Promise<void> {
  let position = offset;
  let identity = fileIdentity(path);
  while (!signal.aborted) {
    const now = fileIdentity(path);
    if (now !== null && (now.ino !== identity?.ino || now.size < position)) {
      position = 0;
      identity = now;
    }
    if (now !== null && now.size > position) position = copyLogRange(path, position, now.size, onBytes);
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
