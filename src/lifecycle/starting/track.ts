import { LifelineError } from '../../errors.js';
import type { LifelineContext } from '../context.js';
import { clearName } from './launch.js';
import { encodeLifeEvent } from '../life-log.js';
import { judge } from '../ending/verdict.js';
import { MARKER_ENV } from '../vocabulary.js';

export interface TrackRequest {
  readonly name: string;
  readonly pid: number;
  readonly tag: string | null;
  readonly resumeArgv: readonly string[] | null;
}

export interface Tracked {
  readonly name: string;
  readonly pid: number;
  readonly marker: string | null;
  readonly argv: string[];
  readonly cwd: string;
}

/** Lifeline's own pid and its ancestors up to init: stopping one of them would end lifeline's own caller. */
function ownLineage(ctx: LifelineContext): Set<number> {
  const lineage = new Set<number>([process.pid]);
  let pid: number | null = process.pid;
  // Bounded: a proc root that is not ours could describe a cycle.
  for (let steps = 0; pid !== null && pid > 1 && steps < 4096; steps++) {
    pid = ctx.probe.parentPid(pid);
    if (pid !== null) lineage.add(pid);
  }
  return lineage;
}

/**
 * A tracked pid may one day be signalled by `stop`, so what must never be signalled is never
 * tracked: init (and pid 0), lifeline itself and the processes it runs under, and kernel threads.
 */
function refuseUntrackable(ctx: LifelineContext, pid: number, kernelThread: boolean): void {
  const refuse = (why: string): never => {
    throw new LifelineError('not-permitted', `pid ${pid} ${why}; lifeline does not track it`);
  };
  if (pid <= 1) refuse('is the system init');
  if (kernelThread) refuse('is a kernel thread, not a program');
  if (pid === process.pid) refuse('is this lifeline process');
  if (ownLineage(ctx).has(pid)) refuse('is an ancestor of this lifeline process (your shell or terminal)');
}

/**
 * One process, one name: a process a live instance already holds — the same pid and start, or a
 * process carrying that instance's marker (it runs inside it) — is refused, or `stop` of the second
 * name would end the first one's program and `r --all` would start it twice. A ghost holds nothing.
 */
function refuseHeld(ctx: LifelineContext, pid: number, startToken: string, marker: string | null): void {
  for (const row of ctx.store.allInstances()) {
    const sameProcess = row.pid === pid && row.boot_id === ctx.bootId && row.proc_start === startToken;
    const sameMarker = marker !== null && row.marker === marker;
    if (!sameProcess && !sameMarker) continue;
    if (judge(row, ctx).kind === 'dead') continue;
    const how = sameProcess ? 'is' : 'runs inside';
    throw new LifelineError('name-taken', `pid ${pid} ${how} instance ${row.name}; lifeline tracks one process under one name`);
  }
}

/**
 * Registers a process lifeline did not start. Its identity (boot, pid, exact start token) is taken
 * now; a marker is recorded only if the process already carries one (it was started by lifeline).
 * Nothing watches its exit, so its end is found by reconcile or `list`.
 */
export function trackProcess(ctx: LifelineContext, request: TrackRequest): Tracked {
  const facts = ctx.probe.inspect(request.pid);
  if (facts.state !== 'running') throw new LifelineError('no-such-process', `no running process has pid ${request.pid}`);
  refuseUntrackable(ctx, request.pid, facts.kernelThread);
  const description = ctx.probe.describe(request.pid);
  if (description === null) throw new LifelineError('no-such-process', `no running process has pid ${request.pid}`);
  if (!description.exact) {
    throw new LifelineError('usage', `pid ${request.pid}'s command line or folder is not valid UTF-8; lifeline could not resume it as it is, so it does not track it`);
  }
  const env = ctx.probe.envValue(request.pid, MARKER_ENV);
  const marker = env.kind === 'value' ? env.value : null;
  const cwd = description.cwd ?? '';

  return ctx.store.writeTransaction(() => {
    clearName(ctx, request.name);
    refuseHeld(ctx, request.pid, facts.startToken, marker);
    const createdAtMs = ctx.now();
    ctx.store.insertInstance({
      name: request.name,
      status: 'active',
      pid: request.pid,
      bootId: ctx.bootId,
      procStart: facts.startToken,
      marker,
      createdAtMs,
      originDeviceId: ctx.deviceId,
      argv: description.argv,
      cwd,
      resumeArgv: request.resumeArgv === null ? null : [...request.resumeArgv],
      tag: request.tag,
      detached: false,
    });
    ctx.store.insertEvent(request.name, 'life.started', createdAtMs, encodeLifeEvent('life.started', { by: 'track', pid: request.pid, marker, resumed_from: null }));
    return { name: request.name, pid: request.pid, marker, argv: description.argv, cwd };
  });
}
