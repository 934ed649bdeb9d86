import type { EventRow } from './rows.js';
import type { Store } from './store.js';

/**
 * Questions about the life log that bringing a boot back asks: which stops one reconcile pass wrote,
 * and what happened to a name after a given event. Read-only queries, no business rules.
 */

/** The newest `life.stopped` written by a reconcile pass (of boot `bootId`, when given). */
export function newestPassStop(store: Store, bootId: string | null): EventRow | null {
  const sql = `SELECT * FROM events
    WHERE type = 'life.stopped' AND json_extract(data, '$.pass.id') IS NOT NULL
      ${bootId === null ? '' : "AND json_extract(data, '$.pass.boot_id') = ?"}
    ORDER BY id DESC LIMIT 1`;
  const statement = store.db.prepare(sql);
  return ((bootId === null ? statement.get() : statement.get(bootId)) as EventRow | undefined) ?? null;
}

/** Every `life.stopped` of one reconcile pass, in the order the pass wrote them. */
export function stopsOfPass(store: Store, passId: string): EventRow[] {
  return store.db
    .prepare(`SELECT * FROM events WHERE type = 'life.stopped' AND json_extract(data, '$.pass.id') = ? ORDER BY id`)
    .all(passId) as EventRow[];
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
