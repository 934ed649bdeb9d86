import { constants } from 'node:os';
import type { LifelineContext } from '../context.js';
import {
  type LaunchSpec,
  recordExit,
  recordLaunchFailure,
  recordStart,
  reserveName,
  spawnFailureMessage,
  spawnProgram,
  type Reservation,
} from './launch.js';
import { watchShutdown } from './shutdown-watch.js';
import type { Reason } from '../vocabulary.js';
import { endUnrecorded } from './waiter-records.js';

export interface ForegroundResult {
  readonly pid: number;
  /** What lifeline itself exits with: the program's code, or 128 + n for signal n. */
  readonly exitCode: number;
  /** The recorded reason, or null when `lifeline stop` ended it first (its `stopped` stands). */
  readonly reason: Reason | null;
  readonly reservation: Reservation;
}

/** Signals that mean "end the program": passed on to it, so its exit is still recorded by us. */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP'];

/**
 * Runs a program that owns the terminal. It stays in lifeline's process group, so the terminal's
 * Ctrl-C reaches it directly; lifeline ignores that SIGINT itself and waits to record the exit.
 */
export async function runForeground(
  ctx: LifelineContext,
  spec: LaunchSpec,
  onReserved: (reservation: Reservation) => void = () => undefined,
): Promise<ForegroundResult> {
  const reservation = reserveName(ctx, spec);
  onReserved(reservation);
  return { ...(await runReserved(ctx, spec, reservation.key)), reservation };
}

/**
 * Starts and watches the life `key` already reserved (a `launching` row): by `runForeground`, or by
 * the foreground launcher a tmux window runs for a life that `--tmux` reserved.
 */
export async function runReserved(
  ctx: LifelineContext,
  spec: LaunchSpec,
  key: Reservation['key'],
): Promise<Omit<ForegroundResult, 'reservation'>> {
  let child: Awaited<ReturnType<typeof spawnProgram>> | undefined;
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  const forwarders = FORWARDED.map((signal) => {
    // Only our own child, through its handle: Node sends nothing once the child has been reaped,
    // so a pid handed on to someone else can never receive it.
    const forward = (): void => {
      child?.kill(signal);
    };
    process.on(signal, forward);
    return [signal, forward] as const;
  });
  // A SIGTERM to lifeline itself close to the program's end means the session went down with it.
  const shutdown = watchShutdown();
  try {
    try {
      child = await spawnProgram(spec, key, 'inherit');
    } catch (error) {
      recordLaunchFailure(ctx, key);
      throw spawnFailureMessage(spec.argv[0]!, error);
    }
    const running = child;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => {
      running.once('exit', (code, signal) => resolve({ code, signal, atMs: Date.now() }));
    });
    const pid = running.pid!;
    let recorded: boolean;
    try {
      recorded = recordStart(ctx, spec, key, pid);
    } catch (error) {
      // The start cannot be recorded (a database busy beyond its timeout): a program lifeline
      // started never runs on untracked. Our own child, not yet reaped: its pid is still ours.
      running.kill('SIGTERM');
      await exited;
      try {
        recordLaunchFailure(ctx, key);
      } catch {
        // Still busy: the `launching` row turns into exit:launch-failed after 30 s.
      }
      throw error;
    }
    if (!recorded) {
      // Stopped while launching: the program, and its descendants that carry its marker.
      const facts = ctx.probe.inspect(pid);
      const token = facts.state === 'running' ? facts.startToken : null;
      await endUnrecorded(ctx, { name: key.name, created_at: key.createdAtMs, marker: key.marker, detached: false }, { pid }, token);
    }
    const { code, signal, atMs } = await exited;
    const reason = recordExit(ctx, key, await shutdown.reasonFor(code, signal, atMs));
    const exitCode = signal !== null ? 128 + (constants.signals[signal] ?? 0) : (code ?? 0);
    return { pid, exitCode, reason };
  } finally {
    process.off('SIGINT', ignore);
    shutdown.dispose();
    for (const [signal, forward] of forwarders) process.off(signal, forward);
  }
}
