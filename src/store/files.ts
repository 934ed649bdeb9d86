import { chmodSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { LifelineError } from '../errors.js';

/**
 * Creates a folder of ours 0700; an existing folder keeps its mode (the user's choice; `doctor`
 * warns when it is open). mkdir's mode passes through the umask, so the mode is set again after.
 */
export function ensurePrivateFolder(folder: string): void {
  if (existsSync(folder)) return;
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  chmodSync(folder, 0o700);
}

/** Opens a file of ours, created 0600 whatever the umask (`a`: append, `wx`: create only); returns the descriptor. */
export function openPrivateFile(path: string, flags: 'a' | 'wx'): number {
  const fd = openSync(path, flags, 0o600);
  try {
    chmodSync(path, 0o600);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Refuses anything that is not an SQLite file before SQLite gets a chance to touch it: SQLite would
 * otherwise treat some foreign files as damaged databases and write a journal beside them.
 */
export function checkSqliteHeader(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new LifelineError('io', `cannot read ${path}: permission denied`);
    if (code === 'EISDIR') throw new LifelineError('not-a-database', `${path} is a folder, not a SQLite database`);
    throw new LifelineError('io', `cannot read ${path} (${code ?? 'error'})`);
  }
  try {
    if (fstatSync(fd).size === 0) return; // SQLite's own representation of an empty database.
    const header = Buffer.alloc(16);
    const read = readSync(fd, header, 0, 16, 0);
    if (read < 16 || header.toString('latin1') !== SQLITE_HEADER) {
      throw new LifelineError('not-a-database', `${path} is not a SQLite database; it was left untouched`);
    }
  } finally {
    closeSync(fd);
  }
}
