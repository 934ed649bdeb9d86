import { setTimeout as sleep } from 'node:timers/promises';
import { eventById, eventsAfter, startOfLife, stopOfLife } from '../../store/history.js';
import type { EventRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import type { Reservation } from '../starting/launch.js';
import { decodeLifeEvent } from '../life-log.js';
import { judge } from '../ending/verdict.js';
import { SHUTDOWN_REASON, SHUTDOWN_WINDOW_MS } from '../vocabulary.js';

/**
 * Default of `r --all --settle`: a resumed program that ends sooner than this after its start did not
 * really come back (a missing session, a config error, a login that expired).
 */
export const SETTLE_MS = 3_000;
const POLL_MS = 100;
/** A watcher records a program that died of a signal only after the shutdown window (shutdown-watch.ts). */
const RECORD_GRACE_MS = SHUTDOWN_WINDOW_MS + 500;

/** The reason one life's end was recorded with, or null while its row is still there. */
function recordedEnd(ctx: LifelineContext, key: Reservation['key']): string | null {
  const row = ctx.store.getInstance(key.name);
  if (row !== null && row.created_at === key.createdAtMs && row.marker === key.marker) return null;
  const stop = stopOfLife(ctx.store, key.name, key.marker);
  if (stop === null) return 'ended'; // Gone without a record of ours: forgotten by hand, or never recorded.
  const reason: unknown = decodeLifeEvent('life.stopped', stop).reason;
  return typeof reason === 'string' ? reason : 'ended';
}

/**
 * Watches a life that was just started for `settleMs`: the reason it ended with if it did not last
 * that long, else null. A program found dead at the end whose watcher has not recorded it yet is
 * given a moment for that record, so the reason is the program's own.
 */
export async function settleLife(ctx: LifelineContext, key: Reservation['key'], startedAtMs: number, settleMs: number): Promise<string | null> {
  const deadline = startedAtMs + settleMs;
  for (;;) {
    const ended = recordedEnd(ctx, key);
    if (ended !== null) return ended;
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(POLL_MS, left));
  }
  const row = ctx.store.getInstance(key.name);
  if (row === null || row.created_at !== key.createdAtMs || row.marker !== key.marker) return recordedEnd(ctx, key);
  const verdict = judge(row, ctx);
  if (verdict.kind !== 'dead') return null;
  for (const until = Date.now() + RECORD_GRACE_MS; Date.now() < until; ) {
    await sleep(POLL_MS);
    const ended = recordedEnd(ctx, key);
    if (ended !== null) return ended;
  }
  return verdict.reason;
}

/**
 * Whether a name started again after event `afterId` for real: a life that ended by itself within
 * `settleMs` of its start did not come back, so the name stays a candidate of its boot's set.
 */
export function cameBackSince(ctx: LifelineContext, name: string, afterId: number, settleMs: number = SETTLE_MS): boolean {
  return eventsAfter(ctx.store, name, 'life.started', afterId).some((started) => !failedToSettle(ctx, name, started, settleMs));
}

function failedToSettle(ctx: LifelineContext, name: string, started: EventRow, settleMs: number): boolean {
  const marker = decodeLifeEvent('life.started', started).marker;
  if (typeof marker !== 'string') return false;
  const stop = stopOfLife(ctx.store, name, marker);
  if (stop === null || stop.ts - started.ts > settleMs + RECORD_GRACE_MS) return false;
  // Ended by itself (or at launch): a `stop` or a shutdown soon after a good start is not a failed resume.
  const data = decodeLifeEvent('life.stopped', stop);
  return data.by === 'self' && data.reason !== SHUTDOWN_REASON;
}

/**
 * The snapshot `r NAME` resumes from: the newest `life.stopped` of the name, unless that life was a
 * resume that ended by itself within the settle time — then the snapshot it resumed from, so a failed
 * resume (or a fresh start that replaced a session nobody had typed in) never changes or drops the
 * stored session binding.
 */
export function snapshotToResume(ctx: LifelineContext, name: string): EventRow | null {
  let event = ctx.store.latestEvent(name, 'life.stopped');
  // Bounded: each step goes to an older event, but a hand-edited log could loop.
  for (let steps = 0; event !== null && steps < 100; steps++) {
    const marker: unknown = decodeLifeEvent('life.stopped', event).snapshot?.marker;
    const started = typeof marker === 'string' ? startOfLife(ctx.store, name, marker) : null;
    if (started === null || !failedToSettle(ctx, name, started, SETTLE_MS)) return event;
    const from = decodeLifeEvent('life.started', started).resumed_from;
    const earlier = typeof from === 'number' ? eventById(ctx.store, from) : null;
    if (earlier === null || earlier.type !== 'life.stopped' || earlier.instance !== name || earlier.id >= event.id) return event;
    event = earlier;
  }
  return event;
}
