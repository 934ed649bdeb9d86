import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateFolder } from './files.js';

/**
 * The boot stamp: the boot id of the last reconcile and a newline. Only a hint for the shell
 * snippet, which compares it with the boot id using built-ins alone; reconcile itself always
 * trusts the kv guard in the database.
 */
export function readStamp(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Written whole or not at all (rename), so a shell never reads half a boot id. */
export function writeStamp(path: string, bootId: string): void {
  ensurePrivateFolder(dirname(path));
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${bootId}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}

/** Rewrites the stamp only when it is missing or names another boot: most runs write nothing. */
export function refreshStamp(path: string, bootId: string): void {
  if (readStamp(path) !== bootId) writeStamp(path, bootId);
}
