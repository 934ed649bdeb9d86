import type { InstanceRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import { type DeadReason, type ExitReason, LAUNCH_TIMEOUT_MS, MARKER_ENV, START_SLACK_MS, type ShutdownReason } from '../vocabulary.js';

/** The process a row points at, verified as the row's own: the only kind of process lifeline signals. */
export interface VerifiedProcess {
  readonly pid: number;
  readonly startToken: string;
  readonly marker: string | null;
  readonly pgid: number;
  /**
   * True only when lifeline created the process group for this instance (a detached launch, which
   * starts the program in a session of its own) and the verified process still leads it. Only then
   * may the whole group be signalled; any other group holds processes that are not the instance's.
   */
  readonly leadsOwnGroup: boolean;
  readonly startedAtMs: number;
}

export type SkipReason = 'remote' | 'launching' | 'no-pid';

export type Verdict =
  | { readonly kind: 'alive'; readonly process: VerifiedProcess }
  | { readonly kind: 'dead'; readonly reason: DeadReason | ExitReason | ShutdownReason }
  | { readonly kind: 'skipped'; readonly why: SkipReason };

export function isLocal(row: InstanceRow, deviceId: string | null): boolean {
  return row.origin_device_id === null || row.origin_device_id === deviceId;
}

/**
 * What makes an instance dead, in one place. The order is the SPEC's and each step is cheaper and
 * more certain than the next: a row from another boot needs no look at the process at all, and the
 * exact start token decides PID reuse before the environment is read. A pid alone proves nothing.
 * Before all of them, a waiter's report of how the program ended (written before its prompt came
 * back, not recorded yet) is the program's own end, as it would have been recorded a moment later.
 */
export function judge(row: InstanceRow, ctx: LifelineContext): Verdict {
  if (!isLocal(row, ctx.deviceId)) return { kind: 'skipped', why: 'remote' };

  // Its waiter saw it end and wrote how, and the record of it is on its way: that is the truth.
  const reported = ctx.waiters?.pendingExit(row) ?? null;
  if (reported !== null && reported !== 'stopped') return { kind: 'dead', reason: reported };

  if (row.status === 'launching') {
    const stale = row.boot_id !== ctx.bootId || ctx.now() - row.created_at > LAUNCH_TIMEOUT_MS;
    return stale ? { kind: 'dead', reason: 'exit:launch-failed' } : { kind: 'skipped', why: 'launching' };
  }
  if (row.boot_id !== ctx.bootId) return { kind: 'dead', reason: 'exit:reboot' };
  if (row.pid === null) return { kind: 'skipped', why: 'no-pid' };

  const facts = ctx.probe.inspect(row.pid);
  if (facts.state !== 'running') return { kind: 'dead', reason: 'exit:gone' };

  if (row.proc_start !== null) {
    if (facts.startToken !== row.proc_start) return { kind: 'dead', reason: 'exit:pid-reused' };
  } else if (facts.startedAtMs > row.created_at + START_SLACK_MS) {
    // No token recorded (a row written by another tool): a process younger than its row is not its.
    return { kind: 'dead', reason: 'exit:pid-reused' };
  }

  if (row.marker !== null) {
    const check = ctx.probe.hasEnvEntry(row.pid, MARKER_ENV, row.marker);
    if (check === 'denied') return { kind: 'dead', reason: 'exit:pid-reused' };
    if (check === 'gone') return { kind: 'dead', reason: 'exit:gone' };
    if (check === 'absent') return { kind: 'dead', reason: 'exit:marker-mismatch' };
  }

  // The marker proves lifeline started this very process; `detached` says it gave it a session of its own.
  const leadsOwnGroup = row.detached === 1 && row.marker !== null && facts.pgid === row.pid && row.pid > 1;
  return {
    kind: 'alive',
    process: { pid: row.pid, startToken: facts.startToken, marker: row.marker, pgid: facts.pgid, leadsOwnGroup, startedAtMs: facts.startedAtMs },
  };
}

/**
 * Checks again, just before a signal, that the pid still runs the very process that was verified.
 * Between two signals a process can exit and its pid be handed to a stranger.
 */
export function stillSameProcess(target: VerifiedProcess, ctx: Pick<LifelineContext, 'probe'>): boolean {
  const facts = ctx.probe.inspect(target.pid);
  if (facts.state !== 'running' || facts.startToken !== target.startToken) return false;
  if (target.marker === null) return true;
  return ctx.probe.hasEnvEntry(target.pid, MARKER_ENV, target.marker) === 'present';
}
