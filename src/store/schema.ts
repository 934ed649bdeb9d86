import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

/**
 * Forward-only migrations keyed on `PRAGMA user_version`: migration i takes the schema from version
 * i to i + 1. Never edit a shipped migration; add the next one.
 */
const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE instances (
        name             TEXT PRIMARY KEY,
        status           TEXT NOT NULL CHECK (status IN ('launching', 'active')),
        pid              INTEGER,
        boot_id          TEXT NOT NULL,
        proc_start       TEXT,
        marker           TEXT,
        created_at       INTEGER NOT NULL,
        origin_device_id TEXT,
        argv             TEXT NOT NULL DEFAULT '[]',
        cwd              TEXT NOT NULL DEFAULT '',
        resume_argv      TEXT,
        tag              TEXT,
        detached         INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE bindings (
        instance   TEXT NOT NULL,
        kind       TEXT NOT NULL,
        value      TEXT NOT NULL,
        created_at INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER))
      );
      CREATE INDEX bindings_by_instance ON bindings (instance);
      CREATE TABLE events (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        ts       INTEGER NOT NULL DEFAULT (CAST(unixepoch('subsec') * 1000 AS INTEGER)),
        instance TEXT NOT NULL,
        type     TEXT NOT NULL,
        data     TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX events_by_instance ON events (instance, id);
      CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT
      );
    `);
    db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('device_id', randomUUID());
  },
  (db) => {
    // The turn state of an agent instance (SPEC §14). A table of its own rather than columns of
    // `instances`: it changes at every turn while the row stays as launched, and it stays out of
    // the `life.stopped` snapshot, since it ends with the life. The marker names the life it
    // belongs to (a name can be reused); the stop path deletes it with the row.
    db.exec(`
      CREATE TABLE turns (
        instance TEXT PRIMARY KEY,
        marker   TEXT NOT NULL,
        state    TEXT NOT NULL,
        since    INTEGER NOT NULL
      );
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema up to date in one IMMEDIATE transaction. The version is read again inside it,
 * so two processes creating the database at once run each migration exactly once.
 */
export function migrate(db: Database.Database): void {
  if (readSchemaVersion(db) >= SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let version = readSchemaVersion(db); version < SCHEMA_VERSION; version++) {
      MIGRATIONS[version]!(db);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}

/**
 * `PRAGMA application_id` of every lifeline database: the bytes "LFLN". Set when lifeline creates a
 * database, and on the next write of a registry made before it had one (id 0 with lifeline's tables).
 * A SQLite file with any other id, or with id 0 and not lifeline's tables, is another program's.
 */
export const APPLICATION_ID = 0x4c464c4e;

export function readApplicationId(db: Database.Database): number {
  return db.pragma('application_id', { simple: true }) as number;
}

/** The tables of schema version 1, which every later version keeps. */
const LIFELINE_TABLES = ['bindings', 'events', 'instances', 'kv'];

/** Whether the file holds any table at all, and whether it holds lifeline's. */
export function describeTables(db: Database.Database): { any: boolean; lifeline: boolean } {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  return { any: names.length > 0, lifeline: LIFELINE_TABLES.every((table) => names.includes(table)) };
}

export function stampApplicationId(db: Database.Database): void {
  if (readApplicationId(db) === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
}
