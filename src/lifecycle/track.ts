import { LifelineError } from '../errors.js';
import type { LifelineContext } from './context.js';
import { clearName } from './launch.js';
import { MARKER_ENV } from './vocabulary.js';

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

/**
 * Registers a process lifeline did not start. Its identity (boot, pid, exact start token) is taken
 * now; a marker is recorded only if the process already carries one (it was started by lifeline).
 * Nothing watches its exit, so its end is found by reconcile or `list`.
 */
export function trackProcess(ctx: LifelineContext, request: TrackRequest): Tracked {
  const facts = ctx.probe.inspect(request.pid);
  if (facts.state !== 'running') throw new LifelineError('no-such-process', `no running process has pid ${request.pid}`);
  const description = ctx.probe.describe(request.pid);
  if (description === null) throw new LifelineError('no-such-process', `no running process has pid ${request.pid}`);
  const env = ctx.probe.envValue(request.pid, MARKER_ENV);
  const marker = env.kind === 'value' ? env.value : null;
  const cwd = description.cwd ?? '';

  return ctx.store.writeTransaction(() => {
    clearName(ctx, request.name);
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
    ctx.store.insertEvent(request.name, 'life.started', createdAtMs, { by: 'track', pid: request.pid, marker, resumed_from: null });
    return { name: request.name, pid: request.pid, marker, argv: description.argv, cwd };
  });
}
