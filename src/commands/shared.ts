import { LifelineError } from '../errors.js';
import { createContext, type LifelineContext } from '../lifecycle/context.js';
import { platformProbe } from '../proc/index.js';
import { checkStateFolder } from '../store/files.js';
import { openDatabase } from '../store/open.js';
import { resolvePaths, type StatePaths } from '../store/paths.js';
import { Store } from '../store/store.js';

/** `--db` is accepted by every command (SPEC §4). */
export const dbArg = {
  db: { type: 'string', description: 'database file (default: $LIFELINE_DB, else $LIFELINE_HOME/lifeline.db)', valueHint: 'path' },
} as const;

export const jsonArg = {
  json: { type: 'boolean', description: 'print JSON for scripts' },
} as const;

export const verboseArg = {
  verbose: { type: 'boolean', description: 'show stack traces of unexpected errors' },
} as const;

export interface Opened {
  readonly ctx: LifelineContext;
  readonly paths: StatePaths;
}

function dbFlag(args: { db?: string | undefined }): string | undefined {
  return typeof args.db === 'string' ? args.db : undefined;
}

/** Opens (creating and migrating if needed) the database for a command that writes. */
export function openForWrite(args: { db?: string | undefined }): Opened {
  const paths = resolvePaths(dbFlag(args));
  checkStateFolder(paths.home);
  const probe = platformProbe();
  const db = openDatabase(paths.db, 'write')!;
  return { ctx: createContext(new Store(db), probe), paths };
}

/**
 * Opens an existing database for a command that acts on instances already recorded (stop, bind, r):
 * null when there is none, so a mistyped name on a fresh machine creates no state folder or file.
 */
export function openExistingForWrite(args: { db?: string | undefined }): Opened | null {
  const paths = resolvePaths(dbFlag(args));
  checkStateFolder(paths.home);
  const probe = platformProbe();
  const db = openDatabase(paths.db, 'write-existing');
  return db === null ? null : { ctx: createContext(new Store(db), probe), paths };
}

/** Opens read-only for a command that only reads; null when there is no database yet. */
export function openForRead(args: { db?: string | undefined }): (Opened & { ctx: LifelineContext }) | { ctx: null; paths: StatePaths } {
  const paths = resolvePaths(dbFlag(args));
  checkStateFolder(paths.home);
  const probe = platformProbe();
  const db = openDatabase(paths.db, 'read');
  return db === null ? { ctx: null, paths } : { ctx: createContext(new Store(db), probe), paths };
}

/**
 * Values of a repeatable option (`--bind a=1 --bind b=2`) from the words before `--`. citty keeps
 * only the last value of a repeated string option, so repeated ones are collected here.
 */
export function repeatedOption(rawArgs: readonly string[], name: string): string[] {
  const values: string[] = [];
  const end = rawArgs.indexOf('--');
  const words = end < 0 ? rawArgs : rawArgs.slice(0, end);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === `--${name}`) {
      const value = words[i + 1];
      if (value === undefined) throw new LifelineError('usage', `--${name} needs a value`);
      values.push(value);
      i++;
    } else if (word.startsWith(`--${name}=`)) {
      values.push(word.slice(name.length + 3));
    }
  }
  return values;
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
