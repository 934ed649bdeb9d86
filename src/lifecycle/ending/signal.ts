import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '../../errors.js';
import { descendantsOf } from '../../proc/parse.js';
import type { LifelineContext } from '../context.js';
import { stillSameProcess, type VerifiedProcess } from './verdict.js';
import { MARKER_ENV } from '../vocabulary.js';

export type TerminateResult =
  /** It was gone (or no longer the same process) before any signal. */
  | 'already-gone'
  /** It exited within the grace period after SIGTERM. */
  | 'terminated'
  /** It needed SIGKILL. */
  | 'killed'
  /** It outlived SIGKILL's wait too (stuck in the kernel); reported, not retried. */
  | 'still-running'
  /** Nothing was sent: the pid is one lifeline never signals, or the proc root is another pid namespace. */
  | 'refused';

const POLL_MS = 25;

type ProbeContext = Pick<LifelineContext, 'probe'>;

/**
 * Pid 1 and below are never signalled: `kill(1)` is init, `kill(0)` our own group, and `kill(-1)`
 * (what a group signal to pid 1 becomes) every process the caller may signal.
 */
export function isSignallablePid(pid: number): boolean {
  return Number.isSafeInteger(pid) && pid > 1;
}

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Throws, before anything is recorded, when the verified process is one lifeline must not or cannot
 * signal: a pid ≤ 1, a pid read from another pid namespace (the number names an unrelated local
 * process), or a process the caller may not signal (EPERM: it would run on while recorded as stopped).
 */
export function checkSignallable(ctx: ProbeContext, target: VerifiedProcess, name: string): void {
  if (!isSignallablePid(target.pid)) {
    throw new LifelineError('not-permitted', `${name} is recorded on pid ${target.pid}, which lifeline never signals; nothing was changed`);
  }
  if (!ctx.probe.showsOwnPidNamespace()) {
    throw new LifelineError(
      'not-permitted',
      `the proc root (LIFELINE_PROC_ROOT) shows another pid namespace than lifeline's own, so pid ${target.pid} of ${name} cannot be signalled safely; nothing was signalled or changed`,
    );
  }
  try {
    process.kill(target.pid, 0);
  } catch (error) {
    if (errnoOf(error) === 'EPERM') {
      throw new LifelineError('not-permitted', `${name} (pid ${target.pid}) is not yours to signal (EPERM); nothing was changed`);
    }
    // ESRCH: it ended meanwhile; the stop is recorded and the signal finds it gone.
  }
}

/** A descendant of a verified process, verified itself by its start token and the instance's marker. */
interface MarkedDescendant {
  readonly pid: number;
  readonly startToken: string;
}

function stillMarked(ctx: ProbeContext, member: MarkedDescendant, marker: string): boolean {
  const facts = ctx.probe.inspect(member.pid);
  return facts.state === 'running' && facts.startToken === member.startToken && ctx.probe.hasEnvEntry(member.pid, MARKER_ENV, marker) === 'present';
}

/**
 * The descendants of `roots` that carry the instance's marker, as they are now. A foreground
 * program shares lifeline's process group (so that Ctrl-C reaches it), which is not the instance's
 * to signal; its marked descendants are. Without a marker nothing proves a child is the instance's.
 * Lifeline itself is skipped: a `lifeline stop` run from inside the program inherits its marker.
 */
function markedDescendants(ctx: ProbeContext, roots: readonly number[], marker: string | null, known: ReadonlySet<number>): MarkedDescendant[] {
  if (marker === null) return [];
  const parents = ctx.probe.parentsOfAll();
  const found: MarkedDescendant[] = [];
  const seen = new Set(known);
  for (const root of roots) {
    for (const pid of descendantsOf(parents, root)) {
      if (seen.has(pid) || !isSignallablePid(pid) || pid === process.pid) continue;
      seen.add(pid);
      const facts = ctx.probe.inspect(pid);
      if (facts.state !== 'running') continue;
      const member = { pid, startToken: facts.startToken };
      if (stillMarked(ctx, member, marker)) found.push(member);
    }
  }
  return found;
}

function kill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // ESRCH: it ended on its own in the meantime.
  }
}

/**
 * The process group only when lifeline created it for this instance and the verified process leads
 * it (a detached program, ended with its children); otherwise the one verified pid.
 */
function send(target: VerifiedProcess, signal: NodeJS.Signals): boolean {
  if (!isSignallablePid(target.pid)) return false;
  const group = target.leadsOwnGroup && target.pgid === target.pid;
  return kill(group ? -target.pid : target.pid, signal);
}

/** Each descendant is checked again right before its signal: its pid may have been handed on. */
function sendToDescendants(ctx: ProbeContext, members: readonly MarkedDescendant[], marker: string | null, signal: NodeJS.Signals): void {
  if (marker === null) return;
  for (const member of members) {
    if (stillMarked(ctx, member, marker)) kill(member.pid, signal);
  }
}

function allGone(ctx: ProbeContext, target: VerifiedProcess, members: readonly MarkedDescendant[]): boolean {
  if (stillSameProcess(target, ctx)) return false;
  return target.marker === null || members.every((member) => !stillMarked(ctx, member, target.marker!));
}

async function waitGone(ctx: ProbeContext, target: VerifiedProcess, members: readonly MarkedDescendant[], waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (allGone(ctx, target, members)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

/**
 * SIGTERM, a grace period, then SIGKILL — each signal only after checking again that the pid still
 * holds the verified process (same start token, same marker). Takes a VerifiedProcess, which only
 * `judge` makes, so nothing unverified can reach `process.kill` through here. A program that does
 * not lead a group lifeline made for it is ended with its marked descendants, found before the first
 * signal (once it ends, its children belong to init and are no longer its descendants).
 */
export async function terminate(ctx: ProbeContext, target: VerifiedProcess, graceMs: number): Promise<TerminateResult> {
  if (!isSignallablePid(target.pid) || !ctx.probe.showsOwnPidNamespace()) return 'refused';
  const group = target.leadsOwnGroup && target.pgid === target.pid;
  if (!stillSameProcess(target, ctx)) return 'already-gone';
  const members = group ? [] : markedDescendants(ctx, [target.pid], target.marker, new Set([target.pid]));
  if (!stillSameProcess(target, ctx) || !send(target, 'SIGTERM')) return 'already-gone';
  sendToDescendants(ctx, members, target.marker, 'SIGTERM');
  if (await waitGone(ctx, target, members, graceMs)) return 'terminated';

  // Survivors may have started children meanwhile: those that carry the marker go too.
  const alive = members.filter((member) => stillMarked(ctx, member, target.marker!));
  const late = group ? [] : markedDescendants(ctx, [target.pid, ...alive.map((m) => m.pid)], target.marker, new Set([target.pid, ...members.map((m) => m.pid)]));
  const everyone = [...alive, ...late];
  if (stillSameProcess(target, ctx)) send(target, 'SIGKILL');
  sendToDescendants(ctx, everyone, target.marker, 'SIGKILL');
  return (await waitGone(ctx, target, everyone, 2000)) ? 'killed' : 'still-running';
}
