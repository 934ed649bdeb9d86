import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '../errors.js';
import type { LifelineContext } from './context.js';
import { stillSameProcess, type VerifiedProcess } from './verdict.js';

export type TerminateResult =
  /** It was gone (or no longer the same process) before any signal. */
  | 'already-gone'
  /** It exited within the grace period after SIGTERM. */
  | 'terminated'
  /** It needed SIGKILL. */
  | 'killed'
  /** It outlived SIGKILL's wait too (stuck in the kernel); reported, not retried. */
  | 'still-running';

const POLL_MS = 25;

/**
 * Pid 1 and below are never signalled: `kill(1)` is init, `kill(0)` our own group, and `kill(-1)`
 * (what a group signal to pid 1 becomes) every process the caller may signal.
 */
export function isSignallablePid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 1;
}

/** Throws, before anything is recorded, when the verified process is one lifeline must never signal. */
export function checkSignallable(target: VerifiedProcess, name: string): void {
  if (!isSignallablePid(target.pid)) {
    throw new LifelineError('not-permitted', `${name} is recorded on pid ${target.pid}, which lifeline never signals; nothing was changed`);
  }
}

/**
 * The process group only when lifeline created it for this instance and the verified process leads
 * it (a detached program, ended with its children); otherwise the one verified pid.
 */
function send(target: VerifiedProcess, signal: NodeJS.Signals): boolean {
  if (!isSignallablePid(target.pid)) return false;
  const group = target.leadsOwnGroup && target.pgid === target.pid;
  try {
    process.kill(group ? -target.pid : target.pid, signal);
    return true;
  } catch {
    return false; // ESRCH: it ended on its own in the meantime.
  }
}

async function waitGone(target: VerifiedProcess, ctx: Pick<LifelineContext, 'probe'>, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (!stillSameProcess(target, ctx)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

/**
 * SIGTERM, a grace period, then SIGKILL — each signal only after checking again that the pid still
 * holds the verified process (same start token, same marker). Takes a VerifiedProcess, which only
 * `judge` makes, so nothing unverified can reach `process.kill` through here.
 */
export async function terminate(
  ctx: Pick<LifelineContext, 'probe'>,
  target: VerifiedProcess,
  graceMs: number,
): Promise<TerminateResult> {
  if (!stillSameProcess(target, ctx) || !send(target, 'SIGTERM')) return 'already-gone';
  if (await waitGone(target, ctx, graceMs)) return 'terminated';
  if (!stillSameProcess(target, ctx) || !send(target, 'SIGKILL')) return 'terminated';
  return (await waitGone(target, ctx, 2000)) ? 'killed' : 'still-running';
}
