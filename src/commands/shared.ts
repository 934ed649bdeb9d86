import type Database from 'better-sqlite3';
import { LifelineError } from '../errors.js';
import { createContext, type LifelineContext } from '../lifecycle/context.js';
import { runFolderOf, settlePendingExits, waiterFiles } from '../lifecycle/starting/pending-exits.js';
import { platformProbe, type ProcessProbe } from '../proc/index.js';
import { checkStateFolder } from '../store/files.js';
import { openDatabase } from '../store/open.js';
import { resolvePaths, type StatePaths } from '../store/paths.js';
import { Store } from '../store/store.js';

export { repeatedOption } from '../argv.js';

/** `--db` is accepted by every command (SPEC §4). */
export const dbArg = {
  db: { type: 'string', description: 'database file (default: $LIFELINE_DB, else $LIFELINE_HOME/lifeline.db)', valueHint: 'path' },
} as const;

export const jsonArg = {
  json: { type: 'boolean', description: 'print JSON for scripts' },
} as const;

export interface Opened {
  readonly ctx: LifelineContext;
  readonly paths: StatePaths;
}

/**
 * The context over a just-opened database; the first read (the device id) may already meet a damaged
 * page. Every verdict reads what waiters reported and no helper recorded yet; a command that writes
 * first records those reports itself (starting/pending-exits.ts).
 */
export function contextOf(db: Database.Database, probe: ProcessProbe, paths: StatePaths, writes: boolean, bootId?: string): LifelineContext {
  const store = new Store(db);
  try {
    const runFolder = runFolderOf(paths.home);
    const ctx = createContext(store, probe, bootId ?? probe.bootId(), waiterFiles(runFolder));
    if (writes) settlePendingExits(ctx, runFolder, paths.db);
    return ctx;
  } catch (error) {
    store.close();
    throw store.describeError(error);
  }
}

function dbFlag(args: { db?: string | undefined }): string | undefined {
  return typeof args.db === 'string' ? args.db : undefined;
}

/** Opens (creating and migrating if needed) the database for a command that writes. */
function openForWrite(args: { db?: string | undefined }): Opened {
  const paths = resolvePaths(dbFlag(args));
  checkStateFolder(paths.home);
  const probe = platformProbe();
  const db = openDatabase(paths.db, 'write')!;
  return { ctx: contextOf(db, probe, paths, true), paths };
}

/**
 * Opens an existing database for a command that acts on instances already recorded (stop, bind, r):
 * null when there is none, so a mistyped name on a fresh machine creates no state folder or file.
 */
function openExistingForWrite(args: { db?: string | undefined }): Opened | null {
  const paths = resolvePaths(dbFlag(args));
  checkStateFolder(paths.home);
  const probe = platformProbe();
  const db = openDatabase(paths.db, 'write-existing');
  return db === null ? null : { ctx: contextOf(db, probe, paths, true), paths };
}

/** Opens read-only for a command that only reads; null when there is no database yet. */
function openForRead(args: { db?: string | undefined }): (Opened & { ctx: LifelineContext }) | { ctx: null; paths: StatePaths } {
  const paths = resolvePaths(dbFlag(args));
  checkStateFolder(paths.home);
  const probe = platformProbe();
  const db = openDatabase(paths.db, 'read');
  return db === null ? { ctx: null, paths } : { ctx: contextOf(db, probe, paths, false), paths };
}

function openExistingForRead(args: { db?: string | undefined }): Opened | null {
  const read = openForRead(args);
  return read.ctx === null ? null : { ctx: read.ctx, paths: read.paths };
}

/**
 * How a command opens the database:
 * - `read`: read-only, never creates or changes a file; with no database yet (or an empty file) it
 *   calls `missing` instead of `run` — nothing was ever recorded.
 * - `write`: writes a database that exists, never creates one (stop, bind, r, forget: a mistyped name
 *   on a fresh machine leaves no state behind); with none it calls `missing`.
 * - `create`: creates and migrates the database when there is none (launch, track).
 */
export type StoreMode = 'read' | 'write' | 'create';

/**
 * Opens the database, runs `run`, and closes it when `run` returns or its promise settles, also when
 * it throws; a SQLite failure leaves as a LifelineError that names the file.
 */
export function withStore<T>(args: { db?: string | undefined }, mode: 'create', run: (opened: Opened) => T): T;
export function withStore<T>(args: { db?: string | undefined }, mode: 'read' | 'write', run: (opened: Opened) => T, missing: () => T): T;
export function withStore<T>(args: { db?: string | undefined }, mode: StoreMode, run: (opened: Opened) => T, missing?: () => T): T {
  const opened = mode === 'create' ? openForWrite(args) : mode === 'write' ? openExistingForWrite(args) : openExistingForRead(args);
  if (opened === null) return missing!();
  const { store } = opened.ctx;
  let result: T;
  try {
    result = run(opened);
  } catch (error) {
    store.close();
    throw store.describeError(error);
  }
  if (result instanceof Promise) {
    return result.then(
      (value: unknown) => {
        store.close();
        return value;
      },
      (error: unknown) => {
        store.close();
        throw store.describeError(error);
      },
    ) as T;
  }
  store.close();
  return result;
}

/** Positional words after the first one (the command's own name argument). */
export function extraPositionals(args: { _: string[] }, skip: number): string[] {
  return args._.slice(skip);
}

export function parseSeconds(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(text)) throw new LifelineError('usage', `${flag} takes a number of seconds, got ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseCount(text: string | undefined, fallback: number, flag: string): number {
  if (text === undefined) return fallback;
  if (!/^[1-9]\d{0,6}$/.test(text)) throw new LifelineError('usage', `${flag} takes a whole number from 1, got ${JSON.stringify(text)}`);
  return Number(text);
}
