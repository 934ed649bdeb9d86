import { setTimeout as sleep } from 'node:timers/promises';
import type { StatePaths } from '../../store/paths.js';
import type { LifelineContext } from '../context.js';
import { judge } from '../ending/verdict.js';
import { launchDetached } from './detach.js';
import { runForeground } from './foreground.js';
import { handOffIfAsked } from './handoff.js';
import { type LaunchSpec, type Reservation, reserveName } from './launch.js';
import { decodeLifeEvent, type Snapshot } from '../life-log.js';
import { logFileOf, rotateLog } from '../logs.js';
import { launchInTmux, sessionOfTarget, TMUX_BINDING } from './tmux.js';

/** How a life runs: owning the terminal, detached with its output in a log, or in a tmux window. */
export type LaunchMode = { readonly kind: 'foreground' } | { readonly kind: 'detached' } | { readonly kind: 'tmux'; readonly session: string };

export const DEFAULT_TMUX_SESSION = 'lifeline';

export type Started =
  /** `handedOff`: the sh entry runs and waits for the program (pid and exit code are its to report). */
  | { readonly kind: 'foreground'; readonly pid: number; readonly exitCode: number; readonly handedOff?: boolean }
  | { readonly kind: 'detached'; readonly pid: number; readonly logFile: string }
  | { readonly kind: 'tmux'; readonly pid: number; readonly target: string };

/** Where a life of `name` runs in `mode`, for reports: the tmux target, the log file, or null (the terminal). */
export function whereOf(mode: LaunchMode, name: string, paths: StatePaths): string | null {
  if (mode.kind === 'tmux') return `${mode.session}:${name}`;
  if (mode.kind === 'detached') return logFileOf(paths.logs, name);
  return null;
}

/** Starts one life in the mode asked for. A detached life's log is rotated first when it has grown too big. */
export async function startLife(
  ctx: LifelineContext,
  spec: LaunchSpec,
  mode: LaunchMode,
  paths: StatePaths,
  onReserved: (reservation: Reservation) => void = () => undefined,
  report: ((pid: number, exitCode: number) => object) | null = null,
): Promise<Started> {
  if (mode.kind === 'tmux') {
    const started = await launchInTmux(ctx, spec, mode.session, paths, onReserved);
    return { kind: 'tmux', pid: started.pid, target: started.target };
  }
  // A life that is not in tmux carries no `tmux` binding from an earlier one.
  const own = { ...spec, detached: mode.kind === 'detached', bindings: spec.bindings.filter((binding) => binding.kind !== TMUX_BINDING) };
  if (mode.kind === 'detached') {
    const logFile = logFileOf(paths.logs, spec.name);
    rotateLog(logFile);
    const started = await launchDetached(ctx, own, { db: paths.db, logFile, home: paths.home }, onReserved);
    return { kind: 'detached', pid: started.pid, logFile };
  }
  // Started by the sh entry: Node only prepares, and dash waits for the program (SPEC §12).
  if (handOffIfAsked(ctx, own, paths, () => reserveName(ctx, own), onReserved, report)) return { kind: 'foreground', pid: 0, exitCode: 0, handedOff: true };
  const result = await runForeground(ctx, own, onReserved);
  return { kind: 'foreground', pid: result.pid, exitCode: result.exitCode };
}

/** The way a life ran, from its `detached` column and `tmux` binding. */
export function modeOf(detached: unknown, bindings: readonly { kind: string; value: string }[]): LaunchMode {
  const tmux = bindings.filter((binding) => binding.kind === TMUX_BINDING).at(-1);
  if (tmux !== undefined) return { kind: 'tmux', session: sessionOfTarget(tmux.value) || DEFAULT_TMUX_SESSION };
  return detached === 1 || detached === true ? { kind: 'detached' } : { kind: 'foreground' };
}

/**
 * How `r NAME` brings a name back when not told: the way its newest life ran — the row of a ghost
 * still holding the name, else the newest `life.stopped` snapshot.
 */
export function rememberedMode(ctx: LifelineContext, name: string): LaunchMode {
  const row = ctx.store.getInstance(name);
  if (row !== null) return modeOf(row.detached, ctx.store.bindingsOf(name));
  const event = ctx.store.latestEvent(name, 'life.stopped');
  if (event === null) return { kind: 'foreground' };
  try {
    const snapshot: Partial<Snapshot> = decodeLifeEvent('life.stopped', event).snapshot ?? {};
    const bindings = Array.isArray(snapshot.bindings) ? snapshot.bindings : [];
    return modeOf(snapshot.detached, bindings.filter((b) => typeof b?.kind === 'string' && typeof b?.value === 'string'));
  } catch {
    return { kind: 'foreground' };
  }
}

/** How long a program just started is watched for an immediate failure (a bad option fails within milliseconds). */
const AT_ONCE_MS = 20;
const ENDED_AT_ONCE_WAIT_MS = 1_000;

/**
 * Whether a program `launch --detach` just started ended at once (a bad option, a missing file): its
 * exit reason, or null when it still runs after its first moments. A program found dead whose waiter
 * has not recorded the end yet is given a moment, so the reason said is the recorded one.
 */
export async function endedAtOnce(ctx: LifelineContext, name: string, pid: number): Promise<string | null> {
  const started = Date.now();
  for (;;) {
    const row = ctx.store.getInstance(name);
    if (row !== null && row.pid === pid) {
      const verdict = judge(row, ctx);
      if (verdict.kind !== 'dead' && Date.now() - started > AT_ONCE_MS) return null;
      if (verdict.kind === 'dead' && Date.now() - started > ENDED_AT_ONCE_WAIT_MS) return verdict.reason;
    } else {
      const stopped = ctx.store.latestEvent(name, 'life.stopped');
      if (stopped === null) return null;
      const data = decodeLifeEvent('life.stopped', stopped);
      return data.snapshot.pid === pid ? data.reason : null;
    }
    await sleep(15);
  }
}
