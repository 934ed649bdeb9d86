import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { decodeAnyLifeEvent } from '../../src/lifecycle/life-log.js';

/** Direct SQL on the test's real database file: to plant rows and to read what lifeline wrote. */

export interface RowInput {
  name: string;
  status?: 'launching' | 'active';
  pid?: number | null;
  boot_id: string;
  proc_start?: string | null;
  marker?: string | null;
  created_at?: number;
  origin_device_id?: string | null;
  argv?: string[];
  cwd?: string;
  resume_argv?: string[] | null;
  tag?: string | null;
  detached?: number;
}

function withDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { timeout: 10_000 });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function insertRow(path: string, row: RowInput): void {
  withDb(path, (db) =>
    db
      .prepare(
        `INSERT INTO instances (name, status, pid, boot_id, proc_start, marker, created_at, origin_device_id, argv, cwd, resume_argv, tag, detached)
         VALUES (@name, @status, @pid, @boot_id, @proc_start, @marker, @created_at, @origin_device_id, @argv, @cwd, @resume_argv, @tag, @detached)`,
      )
      .run({
        status: 'active',
        pid: null,
        proc_start: null,
        marker: randomUUID(),
        created_at: Date.now(),
        origin_device_id: null,
        cwd: '/tmp',
        tag: null,
        detached: 0,
        ...row,
        argv: JSON.stringify(row.argv ?? ['sleep', '300']),
        resume_argv: row.resume_argv === undefined || row.resume_argv === null ? null : JSON.stringify(row.resume_argv),
      }),
  );
}

export function insertBinding(path: string, instance: string, kind: string, value: string, createdAt = Date.now()): void {
  withDb(path, (db) => db.prepare('INSERT INTO bindings (instance, kind, value, created_at) VALUES (?, ?, ?, ?)').run(instance, kind, value, createdAt));
}

export interface EventOut {
  id: number;
  ts: number;
  instance: string;
  type: string;
  data: { by: string; reason?: string; snapshot?: Record<string, unknown>; pid?: number; marker?: string; resumed_from?: number | null };
}

export function events(path: string, type?: string): EventOut[] {
  return withDb(path, (db) =>
    (db.prepare('SELECT * FROM events ORDER BY id').all() as { id: number; ts: number; instance: string; type: string; data: string }[])
      .filter((event) => type === undefined || event.type === type)
      .map((event) => ({ ...event, data: decodeAnyLifeEvent(event) as EventOut['data'] })),
  );
}

export function rows(path: string): Record<string, unknown>[] {
  return withDb(path, (db) => db.prepare('SELECT * FROM instances ORDER BY name').all() as Record<string, unknown>[]);
}

export function bindings(path: string): Record<string, unknown>[] {
  return withDb(path, (db) => db.prepare('SELECT * FROM bindings ORDER BY rowid').all() as Record<string, unknown>[]);
}

export function kv(path: string, key: string): string | null {
  return withDb(path, (db) => (db.prepare('SELECT value FROM kv WHERE key = ?').pluck().get(key) as string | undefined) ?? null);
}

export function setKv(path: string, key: string, value: string): void {
  withDb(path, (db) => db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)').run(key, value));
}

/** Everything in the database, for "nothing changed" assertions that do not depend on file bytes. */
export function dump(path: string): string {
  return withDb(path, (db) =>
    JSON.stringify({
      instances: db.prepare('SELECT * FROM instances ORDER BY name').all(),
      bindings: db.prepare('SELECT * FROM bindings ORDER BY rowid').all(),
      events: db.prepare('SELECT * FROM events ORDER BY id').all(),
      kv: db.prepare('SELECT * FROM kv ORDER BY key').all(),
    }),
  );
}

/** Waits until a launched instance has its process recorded (status `active`). */
export async function waitActive(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (rows(path).some((row) => row['status'] === 'active')) return;
    } catch {
      // The database may not exist yet.
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for an active instance');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
