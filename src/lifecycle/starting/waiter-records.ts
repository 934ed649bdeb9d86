import { constants } from 'node:os';
import type { InstanceRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import { encodeLifeEvent } from '../life-log.js';
import { terminate } from '../ending/signal.js';
import { stopInstance } from '../ending/stop.js';
import { judge } from '../ending/verdict.js';
import type { WaiterKey } from './waiter-plan.js';
import { exitReason, type Reason, SHUTDOWN_REASON } from '../vocabulary.js';

/** What a waiter saw of its program: pid and start ticks as sh read them (0 when it could not). */
export interface WaitedProcess {
  readonly pid: number;
  readonly ticks: string;
}

/**
 * How the program ended, as the waiter tells it: `code N`, `signal NAME`, `shutdown` (it ended
 * while the waiter itself had received SIGTERM: the session went down), or it never started.
 */
export type WaiterOutcome =
  | { readonly kind: 'code'; readonly code: number }
  | { readonly kind: 'signal'; readonly signal: NodeJS.Signals }
  | { readonly kind: 'shutdown' }
  | { readonly kind: 'launch-failed' };

export function parseOutcome(text: string): WaiterOutcome | null {
  const [word, value] = text.trim().split(' ');
  if (word === 'launch-failed') return { kind: 'launch-failed' };
  if (word === 'shutdown') return { kind: 'shutdown' };
  if (word === 'code' && value !== undefined && /^\d{1,3}$/.test(value)) return { kind: 'code', code: Number(value) };
  const signal = `SIG${value ?? ''}` as NodeJS.Signals;
  if (word === 'signal' && value !== undefined && constants.signals[signal] !== undefined) return { kind: 'signal', signal };
  return null;
}

/** Everything a waiter tells its helper, as three lines: the key (JSON), `PID TICKS`, the outcome. */
export interface WaiterReport {
  readonly key: WaiterKey;
  readonly seen: WaitedProcess;
  readonly outcome: WaiterOutcome | null;
}

/** Reads what a waiter wrote; null when the text is not a whole report (or not a waiter's at all). */
export function parseWaiterReport(text: string): WaiterReport | null {
  const [keyLine = '', seenLine = '', outcomeLine = ''] = text.split('\n');
  let key: WaiterKey;
  try {
    key = JSON.parse(keyLine) as WaiterKey;
  } catch {
    return null;
  }
  if (key === null || typeof key !== 'object' || typeof key.name !== 'string' || typeof key.marker !== 'string' || typeof key.created_at !== 'number') return null;
  const [pidText = '0', ticks = '0'] = seenLine.trim().split(' ');
  return { key, seen: { pid: Number(pidText), ticks }, outcome: outcomeLine.trim() === '' ? null : parseOutcome(outcomeLine) };
}

/** The reason an outcome is recorded with. */
export function outcomeReason(outcome: WaiterOutcome): Reason {
  if (outcome.kind === 'launch-failed') return 'exit:launch-failed';
  if (outcome.kind === 'shutdown') return SHUTDOWN_REASON;
  return outcome.kind === 'code' ? exitReason(outcome.code, null) : exitReason(null, outcome.signal);
}

const GRACE_MS = 3000;

function keyOf(order: WaiterKey): { name: string; createdAtMs: number; marker: string } {
  return { name: order.name, createdAtMs: order.created_at, marker: order.marker };
}

/** The start token: the one sh read right after the fork, else the probe's (the program may be gone). */
function startToken(ctx: LifelineContext, seen: WaitedProcess): string | null {
  if (/^[1-9]\d*$/.test(seen.ticks)) return `linux:${seen.ticks}`;
  const facts = ctx.probe.inspect(seen.pid);
  return facts.state === 'gone' ? null : facts.startToken;
}

/**
 * Marks the reserved life `active` with the pid the waiter started, and writes `life.started` —
 * unless the row is no longer `launching` (stopped while launching, or the exit was recorded
 * first). Returns whether this call recorded the start.
 */
function markStarted(ctx: LifelineContext, order: WaiterKey, seen: WaitedProcess, token: string | null): boolean {
  return ctx.store.writeTransaction(() => {
    if (!ctx.store.markActive(keyOf(order), { pid: seen.pid, bootId: ctx.bootId, procStart: token })) return false;
    ctx.store.insertEvent(
      order.name,
      'life.started',
      ctx.now(),
      encodeLifeEvent('life.started', { by: order.by, pid: seen.pid, marker: order.marker, resumed_from: order.resumed_from }),
    );
    return true;
  });
}

/**
 * Ends a program lifeline started but could not (or may no longer) record: stopped while it was
 * launching, or the database refused the start. It is verified like any row first — same pid,
 * start token and marker — so only our own program is signalled: its whole group when it is
 * detached (lifeline made that group), else the pid.
 */
export async function endUnrecorded(
  ctx: LifelineContext,
  order: Pick<WaiterKey, 'name' | 'created_at' | 'marker' | 'detached'>,
  seen: Pick<WaitedProcess, 'pid'>,
  token: string | null,
): Promise<boolean> {
  if (token === null) return false;
  const row: InstanceRow = {
    name: order.name,
    status: 'active',
    pid: seen.pid,
    boot_id: ctx.bootId,
    proc_start: token,
    marker: order.marker,
    created_at: order.created_at,
    origin_device_id: null,
    argv: '[]',
    cwd: '/',
    resume_argv: null,
    tag: null,
    detached: order.detached ? 1 : 0,
  } as InstanceRow;
  const verdict = judge(row, { ...ctx, deviceId: null });
  if (verdict.kind !== 'alive') return false;
  await terminate(ctx, verdict.process, GRACE_MS);
  return true;
}

export type StartRecord = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * The `started` helper: records the start while the program runs. A program lifeline started is
 * either recorded or ended — never left running untracked: when the row was stopped while
 * launching, or the write fails (a database busy beyond its timeout), the program is ended.
 */
export async function recordWaiterStart(ctx: LifelineContext, order: WaiterKey, seen: WaitedProcess): Promise<StartRecord> {
  const token = startToken(ctx, seen);
  let recorded: boolean;
  try {
    recorded = markStarted(ctx, order, seen, token);
  } catch (error) {
    await endUnrecorded(ctx, order, seen, token);
    try {
      stopInstance(ctx, { name: order.name, expect: keyOf(order), by: 'self', reason: 'exit:launch-failed' });
    } catch {
      // Still busy: the row is `launching` and turns into exit:launch-failed after 30 s.
    }
    return { ok: false, message: `could not record the start of ${order.name}, so it was stopped: ${(error as Error).message}` };
  }
  if (recorded) return { ok: true };
  const row = ctx.store.getInstance(order.name);
  if (row !== null && row.created_at === order.created_at && row.marker === order.marker && row.status === 'active') return { ok: true };
  // Not ours any more: stopped while launching (its program must not run on), or already over.
  const ended = await endUnrecorded(ctx, order, seen, token);
  return ended ? { ok: false, message: `${order.name} was stopped while it was launching` } : { ok: true };
}

/**
 * The `finish` helper: records how the program ended, through the one stop path, exactly once. A
 * start not recorded yet (a program that ended at once) is recorded in the same transaction, so
 * the log still reads started, then stopped. If `lifeline stop` got there first, its reason stands.
 */
export function recordWaiterExit(ctx: LifelineContext, order: WaiterKey, seen: WaitedProcess, outcome: WaiterOutcome): Reason | null {
  const expect = keyOf(order);
  if (outcome.kind === 'launch-failed') {
    const failed = stopInstance(ctx, { name: order.name, expect, by: 'self', reason: 'exit:launch-failed' });
    return failed.stopped ? failed.reason : null;
  }
  const reason = outcomeReason(outcome);
  const token = startToken(ctx, seen);
  return ctx.store.writeTransaction(() => {
    markStarted(ctx, order, seen, token);
    const stopped = stopInstance(ctx, { name: order.name, expect, by: 'self', reason });
    return stopped.stopped ? stopped.reason : null;
  });
}
