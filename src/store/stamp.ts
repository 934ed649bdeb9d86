import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LifelineError } from '../errors.js';
import { ensurePrivateFolder, openPrivateFile, readSmallFile } from './files.js';

/**
 * The boot stamp: the boot id of the last reconcile and a newline. Only a hint for the shell
 * snippet, which compares it with the boot id using built-ins alone; reconcile itself always
 * trusts the kv guard in the database.
 */
export function readStamp(path: string): string | null {
  // A FIFO planted at the stamp's name (beside a --db in a shared folder) must not hang every shell start.
  return readSmallFile(path, 4096)?.trim() ?? null;
}

/**
 * Written whole or not at all (rename), so a shell never reads half a file. The temporary file has
 * an unpredictable name and is created exclusively without following links, so nobody can have it
 * written somewhere else; the rename replaces a planted link at the file's name, never its target.
 */
function writeWhole(path: string, content: string, what: string): void {
  if (!existsSync(dirname(path))) ensurePrivateFolder(dirname(path), 'the state folder');
  const temporary = `${path}.${randomBytes(12).toString('hex')}.tmp`;
  let fd: number;
  try {
    fd = openPrivateFile(temporary, 'wx');
  } catch (error) {
    if (error instanceof LifelineError) throw error;
    throw new LifelineError('io', `cannot write ${what} beside ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Already renamed or never written.
    }
    throw new LifelineError('io', `cannot write ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function writeStamp(path: string, bootId: string): void {
  writeWhole(path, `${bootId}\n`, 'the boot stamp');
}

/**
 * The notice of a boot that no terminal has shown yet (SPEC §13): the quiet reconcile of a shell
 * without a terminal (an agent's hidden `bash -i`, a script) or of the login item leaves it here, and
 * the first terminal shell of the boot prints it with built-ins, after claiming `<notice>.shown`
 * exclusively so that it is shown once. A new pass of a later boot removes both.
 */
export function writePendingNotice(path: string, lines: readonly string[]): void {
  clearPendingNotice(path);
  writeWhole(path, lines.map((line) => `${line}\n`).join(''), 'the pending notice');
}

export function clearPendingNotice(path: string): void {
  for (const file of [path, `${path}.shown`]) {
    try {
      unlinkSync(file);
    } catch {
      // Not there: nothing was pending.
    }
  }
}

/** Rewrites the stamp only when it is missing or names another boot: most runs write nothing. */
export function refreshStamp(path: string, bootId: string): void {
  if (readStamp(path) !== bootId) writeStamp(path, bootId);
}
