/**
 * `lifeline wait NAME... --until idle|waiting|stopped`: looks at the registry every WAIT_POLL_MS
 * until each named instance has reached the state once. A turn state is what `list` shows (the
 * agent's hooks, for the verified life only); `stopped` is a recorded end or a dead verdict from
 * `judge`, the one home of what makes an instance dead, so a killed agent counts without reconcile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '../../errors.js';
import type { InstanceKey, InstanceRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import { decodeLifeEvent } from '../life-log.js';
import { unknownNameError } from '../names.js';
import { agentOfArgv, agentOfRow, turnView } from './turn.js';
import { judge } from '../ending/verdict.js';
import { WAIT_POLL_MS, type WaitTarget } from '../vocabulary.js';

export interface WaitRequest {
  readonly names: readonly string[];
  readonly until: WaitTarget;
  /** Null: wait as long as it takes. */
  readonly timeoutMs: number | null;
}

/** Where one instance is now: there, not yet (and what it is doing instead), or never again. */
type Look = { readonly kind: 'reached' } | { readonly kind: 'pending'; readonly now: string } | { readonly kind: 'gone'; readonly why: string };

function keyOf(row: InstanceRow): InstanceKey {
  return { name: row.name, createdAtMs: row.created_at, marker: row.marker };
}

function sameLife(row: InstanceRow, key: InstanceKey): boolean {
  return row.created_at === key.createdAtMs && row.marker === key.marker;
}

/** Whether the newest recorded life of a name with no row ran an agent (its `life.stopped` snapshot). */
function stoppedRanAgent(ctx: LifelineContext, name: string): boolean {
  const stop = ctx.store.latestEvent(name, 'life.stopped');
  if (stop === null) return true; // Only forgotten or started events: not provably no agent; it is not running either way.
  try {
    return agentOfArgv(decodeLifeEvent('life.stopped', stop).snapshot?.argv) !== null;
  } catch {
    return true;
  }
}

/**
 * The first look: the life of each name to follow. Unknown names and programs with no turn state
 * are usage errors (exit 2), refused before any waiting, as a script's typo should be.
 */
function lifeToFollow(ctx: LifelineContext, name: string, until: WaitTarget): InstanceKey | null {
  const row = ctx.store.getInstance(name);
  if (row === null && ctx.store.latestEvent(name, 'life.stopped') === null && ctx.store.latestEvent(name, 'life.started') === null) {
    throw new LifelineError('usage', unknownNameError(name, ctx.store.knownNames()).message);
  }
  const agent = row === null ? stoppedRanAgent(ctx, name) : agentOfRow(row) !== null;
  if (until !== 'stopped' && !agent) {
    throw new LifelineError('usage', `${name} runs no agent (claude, codex, gemini): it has no turn state to wait for; --until stopped waits for its end`);
  }
  return row === null ? null : keyOf(row);
}

function look(ctx: LifelineContext, name: string, life: InstanceKey | null, until: WaitTarget): Look {
  const row = ctx.store.getInstance(name);
  // No row, or the row of a later life: the life waited on was recorded as ended.
  if (row === null || life === null || !sameLife(row, life)) {
    return until === 'stopped' ? { kind: 'reached' } : { kind: 'gone', why: `${name} is not running (stopped)` };
  }
  const verdict = judge(row, ctx);
  if (verdict.kind === 'dead') {
    return until === 'stopped' ? { kind: 'reached' } : { kind: 'gone', why: `${name} is no longer running (dead: ${verdict.reason})` };
  }
  if (verdict.kind === 'skipped') {
    if (verdict.why === 'launching') return { kind: 'pending', now: `${name} is launching` };
    // A row of another device, or registered with no process: lifeline cannot see it end or work here.
    if (until === 'stopped') return { kind: 'pending', now: `${name} is ${verdict.why === 'remote' ? 'on another device' : 'untracked'}` };
    return { kind: 'gone', why: `${name} is not verified running here (${verdict.why === 'remote' ? 'another device' : 'no process recorded'})` };
  }
  if (until === 'stopped') return { kind: 'pending', now: `${name} is running` };
  const { turn } = turnView(ctx.store, row, true);
  return turn === until ? { kind: 'reached' } : { kind: 'pending', now: `${name} is ${turn ?? 'running'}` };
}

/**
 * Resolves once each name reached the state (a name already there counts at once); throws
 * `not-running` when an instance waited on for a turn state ends first, `timed-out` past the timeout.
 */
export async function waitUntil(ctx: LifelineContext, request: WaitRequest): Promise<void> {
  const names = [...new Set(request.names)];
  const lives = new Map(names.map((name) => [name, lifeToFollow(ctx, name, request.until)] as const));
  const deadline = request.timeoutMs === null ? null : Date.now() + request.timeoutMs;
  const pending = new Set(names);
  for (;;) {
    const waitingOn: string[] = [];
    for (const name of pending) {
      const seen = look(ctx, name, lives.get(name) ?? null, request.until);
      if (seen.kind === 'gone') throw new LifelineError('not-running', seen.why);
      if (seen.kind === 'reached') pending.delete(name);
      else waitingOn.push(seen.now);
    }
    if (pending.size === 0) return;
    if (deadline !== null && Date.now() >= deadline) {
      const seconds = (request.timeoutMs ?? 0) / 1000;
      throw new LifelineError('timed-out', `timed out after ${seconds} s waiting for ${request.until}: ${waitingOn.join(', ')}`);
    }
    // A full pause even just before the deadline: two looks are never closer than WAIT_POLL_MS.
    await sleep(WAIT_POLL_MS);
  }
}
