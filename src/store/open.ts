import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { LifelineError } from '../errors.js';
import { resolveFrom } from '../self.js';
import { migrate, readSchemaVersion, SCHEMA_VERSION } from './schema.js';

const SQLITE_HEADER = 'SQLite format 3\0';
/** The SPEC asks for at least 5 s; a reconcile of 10,000 rows holds the lock well under that. */
export const BUSY_TIMEOUT_MS = 8000;

/** `write-existing` writes but never creates: reconcile at shell start must not make a database appear. */
let lastOpened: string | null = null;

/** The file the last open was about: lets the CLI name it when SQLite fails later in a command. */
export function lastOpenedDatabase(): string | null {
  return lastOpened;
}

export type OpenMode = 'read' | 'write' | 'write-existing';

/**
 * Turns a SQLite failure into a message for the user. Every failure that could come from the file
 * itself says which file, so the user knows what to look at.
 */
export function describeSqliteError(error: unknown, path: string): LifelineError | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  if (code === 'SQLITE_NOTADB') return new LifelineError('not-a-database', `${path} is not a SQLite database; it was left untouched`);
  if (code.startsWith('SQLITE_CORRUPT')) return new LifelineError('database-damaged', `${path} is damaged (${code}); it was left untouched`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LifelineError('database-busy', `${path} is busy (another lifeline holds it longer than ${BUSY_TIMEOUT_MS / 1000} s); try again`);
  }
  if (code.startsWith('SQLITE_READONLY')) return new LifelineError('database-readonly', `${path} is read-only; this command needs to write to it`);
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) {
    return new LifelineError('io', `cannot open ${path} (${code})`);
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_FULL') return new LifelineError('io', `cannot use ${path} (${code})`);
  return null;
}

function mapOpenError(error: unknown, path: string): never {
  throw describeSqliteError(error, path) ?? error;
}

/** Refuses anything that is not an SQLite file before SQLite gets a chance to touch it. */
function checkHeader(path: string): void {
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
    const size = statSyncSafe(path);
    if (size === 0) return; // SQLite's own representation of an empty database.
    const header = Buffer.alloc(16);
    const read = readSync(fd, header, 0, 16, 0);
    if (read < 16 || header.toString('latin1') !== SQLITE_HEADER) {
      throw new LifelineError('not-a-database', `${path} is not a SQLite database; it was left untouched`);
    }
  } finally {
    closeSync(fd);
  }
}

function statSyncSafe(path: string): number {
  return statSync(path).size;
}

/** Creates the state folder 0700 (an existing folder keeps its mode) and an empty 0600 database file. */
function createDatabaseFile(path: string): void {
  const folder = dirname(path);
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    chmodSync(folder, 0o700); // mkdir's mode passes through the umask; the SPEC's mode must not.
  }
  try {
    const fd = openSync(path, 'wx', 0o600);
    closeSync(fd);
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new LifelineError('io', `cannot create ${path}: ${(error as Error).message}`);
    }
  }
}

function checkVersion(db: Database.Database, path: string): number {
  let version: number;
  try {
    version = readSchemaVersion(db);
  } catch (error) {
    db.close();
    mapOpenError(error, path);
  }
  if (version > SCHEMA_VERSION) {
    db.close();
    throw new LifelineError(
      'schema-too-new',
      `${path} has schema version ${version}, newer than this lifeline knows (${SCHEMA_VERSION}); upgrade lifeline`,
    );
  }
  return version;
}

/**
 * The addon's own path, so better-sqlite3 skips the `bindings` package's search of a dozen folders:
 * a few milliseconds on the guarded reconcile that every shell start may run.
 */
const nativeBinding: string | undefined = (() => {
  try {
    const path = createRequire(resolveFrom).resolve('better-sqlite3/build/Release/better_sqlite3.node');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
})();

let addonLoaded = false;

/**
 * better-sqlite3 reads SQLITE_USE_URI once, when its addon loads at the first `new Database`. URI
 * names are needed only for the immutable read fallback below; every other name lifeline opens is an
 * absolute path, which SQLite never takes for a URI. The variable is removed at once so it does not
 * leak into the environment of launched programs.
 */
function construct(name: string, options: Database.Options): Database.Database {
  const options_ = nativeBinding === undefined ? options : { ...options, nativeBinding };
  if (addonLoaded || process.env['SQLITE_USE_URI'] !== undefined) return new Database(name, options_);
  process.env['SQLITE_USE_URI'] = '1';
  try {
    return new Database(name, options_);
  } finally {
    addonLoaded = true;
    delete process.env['SQLITE_USE_URI'];
  }
}

function isReadOnlyStorage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'));
}

/**
 * A WAL database can only be read by someone who may create its `-shm` file. Where the user may
 * not write (a read-only folder, someone else's file), read commands open it as immutable instead.
 */
function openImmutable(path: string): Database.Database {
  const uri = `file:${path.replace(/%/g, '%25').replace(/\?/g, '%3f').replace(/#/g, '%23')}?immutable=1`;
  try {
    return construct(uri, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    mapOpenError(error, path);
  }
}

function openForReading(path: string): Database.Database {
  try {
    const db = construct(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    try {
      readSchemaVersion(db);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    if (!isReadOnlyStorage(error)) mapOpenError(error, path);
    return openImmutable(path);
  }
}

/**
 * Opens the database. `write` creates it when missing and migrates it; `read` never creates or
 * changes anything and returns null when there is no database yet; `write-existing` is `write`
 * that returns null instead of creating.
 *
 * The order matters for the "nothing on disk changes" rule: the header and `user_version` are read
 * before anything that writes (journal mode, migrations), so a foreign or newer file is refused untouched.
 */
export function openDatabase(path: string, mode: OpenMode): Database.Database | null {
  lastOpened = path;
  const exists = existsSync(path);
  if (!exists && mode !== 'write') return null;
  if (exists) checkHeader(path);
  else createDatabaseFile(path);

  let db: Database.Database;
  if (mode === 'read') {
    db = openForReading(path);
  } else {
    try {
      db = construct(path, { fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    } catch (error) {
      mapOpenError(error, path);
    }
  }
  const version = checkVersion(db, path);
  if (mode === 'read') {
    if (version === 0) {
      db.close();
      return null; // An empty file: nothing has been recorded yet.
    }
    return db;
  }
  if (version === 0 && mode === 'write-existing') {
    db.close();
    return null;
  }
  try {
    if (version < SCHEMA_VERSION) db.pragma('journal_mode = WAL'); // Persistent: set once, at creation.
    db.pragma('synchronous = NORMAL'); // Safe with WAL: a crash may lose the last commit, never consistency.
    migrate(db);
  } catch (error) {
    db.close();
    mapOpenError(error, path);
  }
  return db;
}
