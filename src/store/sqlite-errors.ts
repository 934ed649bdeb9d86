import { accessSync, constants } from 'node:fs';
import { basename, dirname } from 'node:path';
import { LifelineError } from '../errors.js';

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether SQLite reported a lock held by another connection (SQLITE_BUSY, SQLITE_LOCKED and their variants). */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Turns a SQLite failure into a message for the user, naming the file, so the user knows what to
 * look at. Null for anything that is not a SQLite error.
 */
export function describeSqliteError(error: unknown, path: string): LifelineError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_NOTADB') return new LifelineError('not-a-database', `${path} is not a SQLite database; it was left untouched`);
  if (code.startsWith('SQLITE_CORRUPT')) return new LifelineError('database-damaged', `${path} is damaged (${code}); it was left untouched`);
  if (isSqliteBusy(error)) {
    return new LifelineError('database-busy', `${path} is busy (another process held it past the busy timeout); try again`);
  }
  if (code.startsWith('SQLITE_READONLY')) {
    // SQLite writes its journal (-wal, -shm) beside the database: a folder that cannot be written makes a writable file read-only.
    if (writable(path) && !writable(dirname(path))) {
      return new LifelineError('database-readonly', `the folder ${dirname(path)} is read-only (SQLite writes its journal beside ${basename(path)}); this command needs to write there`);
    }
    return new LifelineError('database-readonly', `${path} is read-only; this command needs to write to it`);
  }
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return new LifelineError('io', `cannot open ${path} (${code})`);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') return new LifelineError('io', `cannot use ${path} (${code})`);
  return null;
}
