import { spawn } from 'node:child_process';
import { LifelineError } from '../errors.js';
import { supervisorScript } from '../self.js';
import type { LifelineContext } from './context.js';
import { type LaunchSpec, recordLaunchFailure, type Reservation, reserveName } from './launch.js';

/** What the supervisor is told: which reserved life to start, and where to write its output. */
export interface SupervisorOrder {
  readonly db: string;
  readonly logFile: string;
  readonly spec: LaunchSpec;
  readonly key: Reservation['key'];
}

/** One JSON line the supervisor writes on fd 3 once the program is recorded (or could not start). */
export type SupervisorReport = { readonly ok: true; readonly pid: number } | { readonly ok: false; readonly message: string };

export const SUPERVISOR_REPORT_FD = 3;
const REPORT_TIMEOUT_MS = 30_000;

export interface DetachedResult {
  readonly pid: number;
  readonly reservation: Reservation;
}

/**
 * Starts a detached program. Only a parent can see its child's exit, so the program is started by a
 * small supervisor process in its own session that stays to record the exit; this function returns
 * once the row is `active` with its pid, as the SPEC asks.
 */
export async function launchDetached(
  ctx: LifelineContext,
  spec: LaunchSpec,
  paths: { db: string; logFile: string },
  onReserved: (reservation: Reservation) => void = () => undefined,
): Promise<DetachedResult> {
  const reservation = reserveName(ctx, spec);
  onReserved(reservation);
  const order: SupervisorOrder = { db: paths.db, logFile: paths.logFile, spec, key: reservation.key };
  const supervisor = spawn(process.execPath, [supervisorScript, JSON.stringify(order)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
    cwd: spec.cwd,
  });
  const report = await readReport(supervisor.stdio[SUPERVISOR_REPORT_FD] as NodeJS.ReadableStream | null);
  supervisor.unref();
  if (!report.ok) throw new LifelineError('launch-failed', report.message);
  return { pid: report.pid, reservation };

  function readReport(stream: NodeJS.ReadableStream | null): Promise<SupervisorReport> {
    return new Promise((resolve) => {
      let buffer = '';
      let settled = false;
      // Settles once: an 'end' that follows a good report must not turn it into a failure (which
      // would stop the instance that just started).
      const finish = (report: SupervisorReport): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        (stream as unknown as { destroy?: () => void } | null)?.destroy?.();
        if (!report.ok) recordLaunchFailure(ctx, reservation.key); // Harmless if the supervisor did it.
        resolve(report);
      };
      const timer = setTimeout(() => finish({ ok: false, message: `${spec.name} did not start within ${REPORT_TIMEOUT_MS / 1000} s` }), REPORT_TIMEOUT_MS);
      if (stream === null) return finish({ ok: false, message: 'could not start the supervisor' });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffer += chunk;
        const newline = buffer.indexOf('\n');
        if (newline < 0) return;
        try {
          finish(JSON.parse(buffer.slice(0, newline)) as SupervisorReport);
        } catch {
          finish({ ok: false, message: 'the supervisor sent a report that could not be read' });
        }
      });
      stream.on('end', () => finish({ ok: false, message: `the supervisor of ${spec.name} exited before the program started` }));
      stream.on('error', () => undefined);
    });
  }
}
