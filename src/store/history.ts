import type { EventRow } from './rows.js';
import type { Store } from './store.js';

/**
 * Questions about the life log that bringing a boot back asks: which lives ended with a boot, in
 * which order the boots ran, and what happened to a name after a given event. Read-only queries, no business rules.
 */

/**
 * The `life.stopped` events that may make a boot's set: each life that ended with the boot (reason
 * `exit:shutdown`) or that a reconcile pass found dead (`by: system` with a `pass`), whose snapshot
 * says it ran in boot `bootId`. Oldest first.
 */
export function endsOfBoot(store: Store, bootId: string, shutdownReason: string): EventRow[] {
  return store.db
    .prepare(
      `SELECT * FROM events
        WHERE type = 'life.stopped' AND json_extract(data, '$.snapshot.boot_id') = ?
          AND (json_extract(data, '$.reason') = ? OR (json_extract(data, '$.by') = 'system' AND json_extract(data, '$.pass.id') IS NOT NULL))
        ORDER BY id`,
    )
    .all(bootId, shutdownReason) as EventRow[];
}

/**
 * Every boot the life log knows of (from the snapshots of ended lives), with the newest time a life
 * was started in it: the order in which the boots ran, newest first.
 */
export function bootsByLastStart(store: Store): { boot_id: string; last_created_at: number }[] {
  return store.db
    .prepare(
      `SELECT json_extract(data, '$.snapshot.boot_id') AS boot_id, MAX(json_extract(data, '$.snapshot.created_at')) AS last_created_at
         FROM events WHERE type = 'life.stopped' AND json_extract(data, '$.snapshot.boot_id') IS NOT NULL
         GROUP BY boot_id ORDER BY last_created_at DESC`,
    )
    .all() as { boot_id: string; last_created_at: number }[];
}

/** The first event of `type` for `name` written after event `afterId`, if any. */
export function eventAfter(store: Store, name: string, type: EventRow['type'], afterId: number): EventRow | null {
  return (
    (store.db.prepare('SELECT * FROM events WHERE instance = ? AND type = ? AND id > ? ORDER BY id LIMIT 1').get(name, type, afterId) as
      | EventRow
      | undefined) ?? null
  );
}

export function eventById(store: Store, id: number): EventRow | null {
  return (store.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined) ?? null;
}

/** The `life.started` event of one life, found by the marker it planted. */
export function startOfLife(store: Store, name: string, marker: string): EventRow | null {
  return (
    (store.db
      .prepare(`SELECT * FROM events WHERE instance = ? AND type = 'life.started' AND json_extract(data, '$.marker') = ? ORDER BY id DESC LIMIT 1`)
      .get(name, marker) as EventRow | undefined) ?? null
  );
}

/** Names bound to `kind=value` among the rows that exist now (live or not yet reconciled). */
export function rowsBoundTo(store: Store, kind: string, value: string): string[] {
  return store.db
    .prepare('SELECT DISTINCT b.instance FROM bindings b JOIN instances i ON i.name = b.instance WHERE b.kind = ? AND b.value = ?')
    .pluck()
    .all(kind, value) as string[];
}

/** Every event of `type` for `name` written after event `afterId`, oldest first. */
export function eventsAfter(store: Store, name: string, type: EventRow['type'], afterId: number): EventRow[] {
  return store.db.prepare('SELECT * FROM events WHERE instance = ? AND type = ? AND id > ? ORDER BY id').all(name, type, afterId) as EventRow[];
}

/** The `life.stopped` event of one life, found by the marker in its snapshot. */
export function stopOfLife(store: Store, name: string, marker: string): EventRow | null {
  return (
    (store.db
      .prepare(`SELECT * FROM events WHERE instance = ? AND type = 'life.stopped' AND json_extract(data, '$.snapshot.marker') = ? ORDER BY id DESC LIMIT 1`)
      .get(name, marker) as EventRow | undefined) ?? null
  );
}
