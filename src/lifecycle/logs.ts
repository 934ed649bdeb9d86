import { lstatSync, renameSync } from 'node:fs';
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
