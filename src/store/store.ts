import type Database from 'better-sqlite3';
import { readSchemaVersion } from './schema.js';
import { describeSqliteError } from './sqlite-errors.js';
import type { BindingRow, EventRow, EventType, InstanceKey, InstanceRow, InstanceStatus, TurnRow } from './rows.js';

export interface NewInstance {
  name: string;
  status: InstanceStatus;
  pid: number | null;
  bootId: string;
  procStart: string | null;
  marker: string | null;
  createdAtMs: number;
  originDeviceId: string | null;
  argv: string[];
  cwd: string;
  resumeArgv: string[] | null;
  tag: string | null;
  detached: boolean;
}

export interface StartedProcess {
  pid: number;
  bootId: string;
  /** Null only when the program was already reaped before its token could be read. */
  procStart: string | null;
}

/**
 * Typed queries over one connection. Statements are prepared on first use and reused. No business
 * rules live here: which rows are ghosts, and what ending an instance means, is lifecycle's job.
 */
export class Store {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(readonly db: Database.Database) {}

  close(): void {
    this.db.close();
  }

  /**
   * The file this store opened. better-sqlite3's `db.name` is what was passed to it: the path, or
   * for the immutable read fallback a `file:` URI around it.
   */
  get file(): string {
    const name = this.db.name;
    if (!name.startsWith('file:')) return name;
    return decodeURIComponent(name.slice('file:'.length).replace(/\?immutable=1$/, ''));
  }

  /** A SQLite failure as a user-facing error that names this store's file; anything else as it was. */
  describeError(error: unknown): unknown {
    return describeSqliteError(error, this.file) ?? error;
  }

  /**
   * Runs `fn` in a `BEGIN IMMEDIATE` transaction. Called inside another transaction (a stop inside
   * reconcile's), better-sqlite3 makes it a savepoint by itself, which rolls back alone.
   */
  writeTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** `PRAGMA user_version`: the schema version. */
  schemaVersion(): number {
    return readSchemaVersion(this.db);
  }

  /** `PRAGMA integrity_check`: 'ok', or the problems it found joined by '; '. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).join('; ');
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  // kv

  getKv(key: string): string | null {
    const row = this.statement('SELECT value FROM kv WHERE key = ?').get(key) as { value: string | null } | undefined;
    return row?.value ?? null;
  }

  setKv(key: string, value: string): void {
    this.statement('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // instances

  getInstance(name: string): InstanceRow | null {
    return (this.statement('SELECT * FROM instances WHERE name = ?').get(name) as InstanceRow | undefined) ?? null;
  }

  /** The instance a launched program belongs to, by the marker in its environment (names can be reused). */
  instanceByMarker(marker: string): InstanceRow | null {
    return (this.statement('SELECT * FROM instances WHERE marker = ?').get(marker) as InstanceRow | undefined) ?? null;
  }

  allInstances(): InstanceRow[] {
    return this.statement('SELECT * FROM instances ORDER BY created_at, name').all() as InstanceRow[];
  }

  instanceNames(): string[] {
    return (this.statement('SELECT name FROM instances').pluck().all() as string[]);
  }

  insertInstance(row: NewInstance): void {
    this.statement(
      `INSERT INTO instances (name, status, pid, boot_id, proc_start, marker, created_at, origin_device_id,
                              argv, cwd, resume_argv, tag, detached)
       VALUES (@name, @status, @pid, @bootId, @procStart, @marker, @createdAtMs, @originDeviceId,
               @argv, @cwd, @resumeArgv, @tag, @detached)`,
    ).run({
      ...row,
      argv: JSON.stringify(row.argv),
      resumeArgv: row.resumeArgv === null ? null : JSON.stringify(row.resumeArgv),
      detached: row.detached ? 1 : 0,
    });
  }

  /** Records the started process of a `launching` row; false when that life of the name is gone. */
  markActive(key: InstanceKey, started: StartedProcess): boolean {
    const info = this.statement(
      `UPDATE instances SET status = 'active', pid = @pid, boot_id = @bootId, proc_start = @procStart
        WHERE name = @name AND created_at = @createdAtMs AND marker IS @marker AND status = 'launching'`,
    ).run({ ...started, name: key.name, createdAtMs: key.createdAtMs, marker: key.marker });
    return info.changes === 1;
  }

  /** Compare-and-delete: only the life of the name that was read, never a newer one. */
  deleteInstance(key: InstanceKey): boolean {
    const info = this.statement('DELETE FROM instances WHERE name = ? AND created_at = ? AND marker IS ?').run(
      key.name,
      key.createdAtMs,
      key.marker,
    );
    return info.changes === 1;
  }

  // bindings

  bindingsOf(name: string): BindingRow[] {
    return this.statement('SELECT * FROM bindings WHERE instance = ? ORDER BY created_at, rowid').all(name) as BindingRow[];
  }

  addBinding(name: string, kind: string, value: string, createdAtMs: number): void {
    // The same pair bound twice is one binding, moved to the newest place.
    this.statement('DELETE FROM bindings WHERE instance = ? AND kind = ? AND value = ?').run(name, kind, value);
    this.statement('INSERT INTO bindings (instance, kind, value, created_at) VALUES (?, ?, ?, ?)').run(name, kind, value, createdAtMs);
  }

  removeBindings(name: string, kind: string, value: string | null): number {
    const info =
      value === null
        ? this.statement('DELETE FROM bindings WHERE instance = ? AND kind = ?').run(name, kind)
        : this.statement('DELETE FROM bindings WHERE instance = ? AND kind = ? AND value = ?').run(name, kind, value);
    return info.changes;
  }

  deleteAllBindings(name: string): void {
    this.statement('DELETE FROM bindings WHERE instance = ?').run(name);
  }

  // turns

  /**
   * The turn recorded for this life of the name (its marker), or null. A database of schema 1, which
   * a read-only command opens without migrating it, has no turns table: nothing was ever recorded.
   */
  turnOf(name: string, marker: string): TurnRow | null {
    if (!this.hasTurns()) return null;
    return (this.statement('SELECT * FROM turns WHERE instance = ? AND marker = ?').get(name, marker) as TurnRow | undefined) ?? null;
  }

  /** Replaces the name's turn, whatever life it belonged to: only the current life reports one. */
  setTurn(turn: TurnRow): void {
    this.statement(
      `INSERT INTO turns (instance, marker, state, since) VALUES (@instance, @marker, @state, @since)
       ON CONFLICT (instance) DO UPDATE SET marker = excluded.marker, state = excluded.state, since = excluded.since`,
    ).run(turn);
  }

  deleteTurn(name: string): void {
    if (this.hasTurns()) this.statement('DELETE FROM turns WHERE instance = ?').run(name);
  }

  private turnsTable: boolean | undefined;

  private hasTurns(): boolean {
    this.turnsTable ??= this.schemaVersion() >= 2;
    return this.turnsTable;
  }

  // events

  /** `dataJson` comes from `encodeLifeEvent` (src/lifecycle/life-log.ts), the one home of the payloads. */
  insertEvent(instance: string, type: EventType, tsMs: number, dataJson: string): number {
    const info = this.statement('INSERT INTO events (ts, instance, type, data) VALUES (?, ?, ?, ?)').run(tsMs, instance, type, dataJson);
    return Number(info.lastInsertRowid);
  }

  latestEvent(instance: string, type: EventType): EventRow | null {
    return (
      (this.statement('SELECT * FROM events WHERE instance = ? AND type = ? ORDER BY id DESC LIMIT 1').get(instance, type) as
        | EventRow
        | undefined) ?? null
    );
  }

  recentEvents(instance: string | null, limit: number): EventRow[] {
    return instance === null
      ? (this.statement('SELECT * FROM events ORDER BY id DESC LIMIT ?').all(limit) as EventRow[])
      : (this.statement('SELECT * FROM events WHERE instance = ? ORDER BY id DESC LIMIT ?').all(instance, limit) as EventRow[]);
  }

  /** The newest `life.stopped` of each name that has no row now and was not forgotten since: what `r` can bring back. */
  resumableSnapshots(): EventRow[] {
    return this.statement(
      `SELECT e.* FROM events e
        JOIN (SELECT instance, MAX(id) AS id FROM events WHERE type = 'life.stopped' GROUP BY instance) newest
          ON newest.id = e.id
        WHERE e.instance NOT IN (SELECT name FROM instances)
          AND NOT EXISTS (SELECT 1 FROM events f WHERE f.instance = e.instance AND f.type = 'life.forgotten' AND f.id > e.id)
        ORDER BY e.id DESC`,
    ).all() as EventRow[];
  }

  /** Every name ever seen, for suggestions and for picking a free default name. */
  knownNames(): string[] {
    return this.statement('SELECT name FROM instances UNION SELECT DISTINCT instance FROM events').pluck().all() as string[];
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
