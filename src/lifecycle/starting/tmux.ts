import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '../../errors.js';
import { capturePane, killWindow, openWindow, paneDead, requireTmux, setRemainOnExit } from '../../integration/tmux.js';
import { foregroundLaunchArgv } from '../../self.js';
import { startOfLife } from '../../store/history.js';
import type { StatePaths } from '../../store/paths.js';
import type { LifelineContext } from '../context.js';
import { type LaunchSpec, recordLaunchFailure, type Reservation, reserveName } from './launch.js';
import { decodeLifeEvent } from '../life-log.js';

export const TMUX_BINDING = 'tmux';
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 25;
const PANE_POLL_MS = 150;

export interface TmuxResult {
  readonly pid: number;
  /** `session:window`, the value of the `tmux` binding. */
  readonly target: string;
  readonly reservation: Reservation;
}

/** The session of a `tmux=<session>:<window>` binding value. */
export function sessionOfTarget(value: string): string {
  const colon = value.indexOf(':');
  return colon < 0 ? value : value.slice(0, colon);
}

/** The spec as it runs in a window: attached to the pane (not detached), with the one current `tmux` binding. */
export function specInTmux(spec: LaunchSpec, target: string): LaunchSpec {
  const bindings = [...spec.bindings.filter((binding) => binding.kind !== TMUX_BINDING), { kind: TMUX_BINDING, value: target }];
  return { ...spec, detached: false, bindings };
}

/**
 * Runs the program in its own window of a tmux session. The name is reserved here (a `launching` row,
 * bindings, marker), then the window runs a foreground lifeline launcher of that reserved life, which
 * starts the program as its child and records its exit exactly as a foreground launch does. This
 * returns once the row is `active` (or the window's command failed, whose error is read from the pane).
 */
export async function launchInTmux(
  ctx: LifelineContext,
  spec: LaunchSpec,
  session: string,
  paths: StatePaths,
  onReserved: (reservation: Reservation) => void = () => undefined,
): Promise<TmuxResult> {
  requireTmux();
  const target = `${session}:${spec.name}`;
  const inTmux = specInTmux(spec, target);
  const reservation = reserveName(ctx, inTmux);
  onReserved(reservation);
  const { key } = reservation;
  const words = [spec.name, '--reserved', String(key.createdAtMs), ...(spec.resumedFrom === null ? [] : ['--resumed-from', String(spec.resumedFrom)])];
  // The window's environment is the tmux server's: say which registry to use, outside any command line.
  const env: Record<string, string> = { LIFELINE_HOME: paths.home };
  if (paths.dbChosen) env['LIFELINE_DB'] = paths.db;
  const procRoot = process.env['LIFELINE_PROC_ROOT'];
  if (procRoot !== undefined && procRoot !== '') env['LIFELINE_PROC_ROOT'] = procRoot;

  let windowId: string;
  try {
    windowId = openWindow({ session, window: spec.name, cwd: spec.cwd, env, argv: foregroundLaunchArgv(words) });
    setRemainOnExit(windowId, true);
  } catch (error) {
    recordLaunchFailure(ctx, key);
    throw error;
  }
  const outcome = await waitForStart(ctx, key, windowId);
  if (!outcome.ok) {
    recordLaunchFailure(ctx, key); // Harmless when the launcher recorded it already.
    killWindow(windowId);
    throw new LifelineError('launch-failed', outcome.message);
  }
  // From here the window closes with its program, as any tmux window does.
  setRemainOnExit(windowId, false);
  if (paneDead(windowId) === true) killWindow(windowId);
  return { pid: outcome.pid, target, reservation };
}

type StartOutcome = { readonly ok: true; readonly pid: number } | { readonly ok: false; readonly message: string };

/** The row of this life is active, or it already ended after starting (its `life.started` tells). */
function startedPid(ctx: LifelineContext, key: Reservation['key']): number | 'waiting' | 'ended-unstarted' {
  const row = ctx.store.getInstance(key.name);
  if (row !== null && row.created_at === key.createdAtMs && row.marker === key.marker) {
    return row.status === 'active' && row.pid !== null ? row.pid : 'waiting';
  }
  const started = startOfLife(ctx.store, key.name, key.marker);
  if (started === null) return 'ended-unstarted';
  return decodeLifeEvent('life.started', started).pid;
}

/** The launcher's last `lifeline: …` line, read once it has exited (it stays a moment after writing it). */
async function launcherError(windowId: string, name: string): Promise<string> {
  const deadline = Date.now() + 3000;
  while (paneDead(windowId) === false && Date.now() < deadline) await sleep(PANE_POLL_MS / 3);
  const lines = capturePane(windowId)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('lifeline: '));
  const last = lines.at(-1);
  return last !== undefined ? last.slice('lifeline: '.length) : `the launcher of ${name} in tmux exited before the program started`;
}

async function waitForStart(ctx: LifelineContext, key: Reservation['key'], windowId: string): Promise<StartOutcome> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let paneCheckedAt = Date.now();
  for (;;) {
    const state = startedPid(ctx, key);
    if (typeof state === 'number') return { ok: true, pid: state };
    if (state === 'ended-unstarted') return { ok: false, message: await launcherError(windowId, key.name) };
    if (Date.now() - paneCheckedAt >= PANE_POLL_MS) {
      paneCheckedAt = Date.now();
      if (paneDead(windowId) !== false) {
        // The launcher records before it exits: what the database says now is final.
        const final = startedPid(ctx, key);
        if (typeof final === 'number') return { ok: true, pid: final };
        return { ok: false, message: await launcherError(windowId, key.name) };
      }
    }
    if (Date.now() > deadline) return { ok: false, message: `${key.name} did not start within ${START_TIMEOUT_MS / 1000} s in tmux` };
    await sleep(POLL_MS);
  }
}
