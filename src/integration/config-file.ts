/**
 * Reading and changing another program's configuration file (an agent's settings) safely:
 * - another user's file or folder is refused, like the state folder (root with a user's HOME would
 *   otherwise leave a root-owned file that user can no longer edit), and so is a read-only file;
 * - a change is written into the file itself, never renamed over it: the file keeps its owner, mode
 *   and inode (a hard-linked dotfiles copy sees the change), and a symlink is written through to its
 *   target. The whole content goes in one write(); no temp file is left beside it;
 * - the content before lifeline's first edit is kept once, in `<file>.lifeline-backup` (0600), and
 *   uninstall, which gives that content back byte for byte, removes it again.
 */
import { closeSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, type Stats, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LifelineError } from '../errors.js';
import { isUtf8 } from '../proc/parse.js';
import { checkOwner } from '../store/files.js';

const OWNER_HINT = 'run lifeline as that user, or chown it';

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

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new LifelineError('io', `cannot use ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Whether lifeline may change `path`: checked for every file before any is written, so a refusal
 * leaves every file as it was. The folder a new file (or folder) would be created in must be ours too.
 */
export function checkEditable(path: string): void {
  const target = writeTarget(path);
  const stats = statOrNull(target);
  if (stats === null) {
    let folder = dirname(target);
    let folderStats = statOrNull(folder);
    while (folderStats === null && dirname(folder) !== folder) {
      folder = dirname(folder);
      folderStats = statOrNull(folder);
    }
    if (folderStats !== null) checkOwner(folderStats, folder, 'the folder', OWNER_HINT);
    return;
  }
  if (!stats.isFile()) throw new LifelineError('io', `cannot edit ${target}: it is not a regular file; lifeline leaves it untouched`);
  // The backup goes beside the name the agent uses, the change into the target.
  checkOwner(statSync(dirname(path)), dirname(path), 'the folder', OWNER_HINT);
  checkOwner(stats, target, 'the file', OWNER_HINT);
  // Root could write it anyway; a file without its write bit is the user's way of saying "leave it".
  if ((stats.mode & 0o200) === 0) throw new LifelineError('io', `cannot edit ${target}: it is read-only (no write bit); lifeline leaves it untouched (chmod u+w it first)`);
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, done);
}

/**
 * A new file, 0600, in a folder created 0700 when missing; `wx`: never over a file that appeared
 * meanwhile. Returns the topmost folder it created, if any.
 */
function createFile(path: string, content: string): string | null {
  const created = mkdirSync(dirname(path), { recursive: true, mode: 0o700 }) ?? null;
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeAll(fd, Buffer.from(content, 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return created;
}

/** The same file with new content: same inode, owner and mode (r+, then cut to the new length). */
function overwrite(path: string, content: string): void {
  const fd = openSync(path, 'r+');
  try {
    if (!fstatSync(fd).isFile()) throw new LifelineError('io', `cannot edit ${path}: it is not a regular file`);
    const bytes = Buffer.from(content, 'utf8');
    writeAll(fd, bytes);
    ftruncateSync(fd, bytes.length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The one backup of a file: its content before lifeline's first edit. */
export function backupOf(path: string): string {
  return `${path}.lifeline-backup`;
}

/**
 * Keeps the content before lifeline's first edit, once: a backup that exists already holds an older
 * original and is left alone (`wx`, so never through a link planted there either).
 */
function keepOriginal(path: string, before: string): string {
  const backup = backupOf(path);
  try {
    createFile(backup, before);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return backup;
}

/**
 * Replaces the content of `path` (through a symlink) with `content`, or creates it. With `backup`, the
 * content before lifeline's first edit is kept in `<path>.lifeline-backup` (0600). Returns that
 * backup's path, and the topmost folder created for a new file.
 */
export function rewriteConfig(path: string, before: string | null, content: string, backup: boolean): { backup: string | null; createdFolder: string | null } {
  const target = writeTarget(path);
  const kept = backup && before !== null ? keepOriginal(path, before) : null;
  let createdFolder: string | null = null;
  try {
    if (before === null) createdFolder = createFile(target, content);
    else overwrite(target, content);
  } catch (error) {
    if (error instanceof LifelineError) throw error;
    throw new LifelineError('io', `cannot write ${target}: ${(error as Error).message}`);
  }
  return { backup: kept, createdFolder };
}

/** Uninstall took lifeline's entries out: the backup install kept is no longer needed (a file install created). */
export function dropBackup(path: string): void {
  const backup = backupOf(path);
  try {
    if (lstatSync(backup).isFile()) unlinkSync(backup);
  } catch {
    // None.
  }
}

/**
 * Removes a file install created, now that lifeline's entries were all it held. A symlink is the
 * user's: it stays, and its target is emptied instead.
 */
export function removeConfig(path: string): void {
  if (lstatSync(path).isSymbolicLink()) {
    rewriteConfig(path, readConfig(path), '', false);
    return;
  }
  unlinkSync(path);
}
