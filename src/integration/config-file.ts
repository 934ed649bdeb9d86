/**
 * Reading and rewriting a user's configuration file safely: a symlink (dotfiles) is written through
 * to its target and never replaced by a plain file; the old content is kept as a 0600 backup beside
 * the file; the new content goes to a fresh temp file in the target's folder, renamed over it, so a
 * crash leaves the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LifelineError } from '../errors.js';
import { isUtf8 } from '../proc/parse.js';

/** The file's text, or null when there is none. Bytes that are not UTF-8 are refused: Node would turn them into U+FFFD, and writing that back would change them. */
export function readConfig(path: string): string | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new LifelineError('io', `cannot read ${path} (${code ?? (error as Error).message})`);
  }
  if (!isUtf8(bytes)) throw new LifelineError('io', `cannot edit ${path}: it is not valid UTF-8 text; lifeline leaves it untouched`);
  return bytes.toString('utf8');
}

/**
 * Removes a file install created, now that lifeline's entries were all it held. A symlink is the
 * user's: it stays, and its target is emptied instead.
 */
export function removeConfig(path: string): void {
  if (lstatSync(path).isSymbolicLink()) {
    rewriteConfig(path, readConfig(path), '');
    return;
  }
  unlinkSync(path);
}

/** The file a write to `path` must change: the target of a symlink, else the path itself. */
export function writeTarget(path: string): string {
  let isLink = false;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    return path; // Not there yet: created as a plain file.
  }
  if (!isLink) return path;
  try {
    return realpathSync(path);
  } catch {
    throw new LifelineError('io', `${path} is a symlink to a file that does not exist; create it (or remove the link) first`);
  }
}

function timestamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function writeNewFile(path: string, content: string, mode: number): void {
  const fd = openSync(path, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, mode);
}

/**
 * Replaces the content of `path` (through a symlink) with `content`. Returns the backup of the old
 * content (`<path>.lifeline-backup-<time>`, 0600), or null when there was no file before.
 */
export function rewriteConfig(path: string, before: string | null, content: string, now = new Date()): string | null {
  const target = writeTarget(path);
  let backup: string | null = null;
  if (before !== null) {
    backup = `${path}.lifeline-backup-${timestamp(now)}`;
    for (let n = 1; ; n++) {
      try {
        writeNewFile(backup, before, 0o600);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 50) throw error;
        backup = `${path}.lifeline-backup-${timestamp(now)}-${n}`;
      }
    }
  } else {
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  }
  let mode = 0o600;
  try {
    mode = statSync(target).mode & 0o777;
  } catch {
    // A new file: private.
  }
  const temp = join(dirname(target), `.${basename(target)}.lifeline-${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeNewFile(temp, content, mode);
    renameSync(temp, target);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // Never created.
    }
    throw new LifelineError('io', `cannot write ${target}: ${(error as Error).message}`);
  }
  return backup;
}
