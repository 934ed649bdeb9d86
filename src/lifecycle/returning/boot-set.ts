import { bootsByLastStart, endsOfBoot, eventAfter } from '../../store/history.js';
import type { EventRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import { decodeLifeEvent, type LifeStopped } from '../life-log.js';
import { cameBackSince, SETTLE_MS } from './settle.js';
import { judge } from '../ending/verdict.js';
import { SHUTDOWN_REASON } from '../vocabulary.js';

/**
 * A logout or shutdown signals every process at once, and systemd kills what is left 90 s later:
 * `exit:shutdown` ends this close to the newest one are the same going-down. Older ones belong to an
 * earlier logout of the same boot, whose programs the user has since resumed or left alone.
 */
const EPISODE_MS = 120_000;

/** The set of one boot (SPEC §13): the instances still running when it ended. */
export interface BootSet {
  readonly bootId: string;
  /** The newest `life.stopped` of each name in the set, in the order the lives were started. */
  readonly stops: EventRow[];
}

interface End {
  readonly event: EventRow;
  readonly data: Partial<LifeStopped>;
}

/** A ghost of the boot, found dead by a reconcile pass of a later boot. */
function isGhostOf(end: End, bootId: string): boolean {
  return end.data.by === 'system' && end.data.reason === 'exit:reboot' && end.data.pass?.boot_id !== bootId;
}

/**
 * The set of boot `bootId`: its ghosts, which later boots stopped with `exit:reboot` (two boots later
 * still counts: the snapshot's boot id decides), plus the lives that ended during it with the last
 * going-down — `exit:shutdown` ends, and ghosts a (forced) pass of the same boot stopped. A launch
 * that never started is not something that ran.
 */
export function bootSet(ctx: LifelineContext, bootId: string): BootSet {
  const ends: End[] = endsOfBoot(ctx.store, bootId, SHUTDOWN_REASON)
    .map((event) => ({ event, data: safeDecode(event) }))
    .filter((end) => end.data.reason !== 'exit:launch-failed');
  const ghosts = ends.filter((end) => isGhostOf(end, bootId));
  const during = ends.filter((end) => !isGhostOf(end, bootId));
  const newestMs = Math.max(...during.map((end) => end.event.ts));
  const lastEpisode = during.filter((end) => end.event.ts >= newestMs - EPISODE_MS);
  const newestOfName = new Map<string, End>();
  for (const end of [...ghosts, ...lastEpisode]) {
    const known = newestOfName.get(end.event.instance);
    if (known === undefined || known.event.id < end.event.id) newestOfName.set(end.event.instance, end);
  }
  // In the order they were started: the order their watchers recorded them in is a race.
  const startedAt = (end: End): number => (typeof end.data.snapshot?.created_at === 'number' ? end.data.snapshot.created_at : 0);
  const members = [...newestOfName.values()].sort((a, b) => startedAt(a) - startedAt(b) || a.event.id - b.event.id);
  return { bootId, stops: members.map((end) => end.event) };
}

/** The boot that ran last before this one, by the newest life started in it; null when none is known. */
export function lastEndedBoot(ctx: LifelineContext): string | null {
  return bootsByLastStart(ctx.store).find((boot) => boot.boot_id !== ctx.bootId)?.boot_id ?? null;
}

/**
 * What `r --all` brings back: the set of `bootId` when given; else this boot's own set when it has
 * one (a logout's `exit:shutdown` ends, or ghosts a forced pass stopped: newer than any ended boot),
 * else the set of the last ended boot. Null when no boot is known to have ended.
 */
export function setToBringBack(ctx: LifelineContext, bootId: string | null): BootSet | null {
  if (bootId !== null) return bootSet(ctx, bootId);
  const current = bootSet(ctx, ctx.bootId);
  if (current.stops.length > 0) return current;
  const last = lastEndedBoot(ctx);
  return last === null ? null : bootSet(ctx, last);
}

/** Why a name of the set is not a candidate any more, or null when it is. */
export function staleReason(ctx: LifelineContext, stop: EventRow, settleMs: number = SETTLE_MS): string | null {
  const name = stop.instance;
  if (eventAfter(ctx.store, name, 'life.forgotten', stop.id) !== null) return 'forgotten';
  const row = ctx.store.getInstance(name);
  if (row !== null) {
    const verdict = judge(row, ctx);
    return verdict.kind === 'alive' ? `running again, pid ${verdict.process.pid}` : 'started again since';
  }
  // A resume that ended within the settle time did not bring it back: the name stays in the set.
  if (cameBackSince(ctx, name, stop.id, settleMs)) return 'started again since';
  return null;
}

function safeDecode(event: EventRow): Partial<LifeStopped> {
  try {
    return decodeLifeEvent('life.stopped', event);
  } catch {
    return {}; // Written by hand or by something else: not a member.
  }
}
