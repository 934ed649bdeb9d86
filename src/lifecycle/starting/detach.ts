import type { ChildProcess } from 'node:child_process';
import { childProcesses } from '../../child-processes.js';
import { closeSync, unlinkSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { interactiveAgent } from '../../agents/argv.js';
import { LifelineError } from '../../errors.js';
import { supervisorScript, waiterHelperScript, waiterScript } from '../../self.js';
import { ensurePrivateFolder, openPrivateFile } from '../../store/files.js';
import type { LifelineContext } from '../context.js';
import { commandProblem, type LaunchSpec, programEnv, recordLaunchFailure, type Reservation, reserveName, spawnFailureMessage } from './launch.js';
import { exitFileOf, recordedFileOf, runFolderOf } from './pending-exits.js';
import { renderWaiterPlan, type WaiterKey } from './waiter-plan.js';
import { recordWaiterStart } from './waiter-records.js';
import { waiting } from './waiting.js';

/** What the Node supervisor (the fallback) is told: which reserved life to start, and where to write its output. */
export interface SupervisorOrder {
  readonly db: string;
  readonly logFile: string;
  readonly spec: LaunchSpec;
  readonly key: Reservation['key'];
}

/** One JSON line written on fd 3 once the program is recorded (or could not start). */
export type SupervisorReport = { readonly ok: true; readonly pid: number } | { readonly ok: false; readonly message: string };

export const SUPERVISOR_REPORT_FD = 3;
const REPORT_TIMEOUT_MS = 30_000;

export interface DetachedResult {
  readonly pid: number;
  readonly reservation: Reservation;
}

/** The log is the program's stdout and stderr: 0600 in a 0700 folder, appended across lives. */
function openLog(ctx: LifelineContext, key: Reservation['key'], logFile: string): number {
  try {
    ensurePrivateFolder(dirname(logFile));
    return openPrivateFile(logFile, 'a');
  } catch (error) {
    recordLaunchFailure(ctx, key);
    throw new LifelineError('launch-failed', `cannot open the log ${logFile}: ${(error as Error).message}`);
  }
}

/**
 * The waiter's fd 8, where it writes its `jobs -l` line: an anonymous private file, created
 * exclusively in the 0700 logs folder and unlinked at once, so no path is left behind.
 */
function anonymousFile(folder: string): number {
  const path = join(folder, `.status-${randomUUID()}`);
  const fd = openPrivateFile(path, 'wx');
  unlinkSync(path);
  return fd;
}

/**
 * The cheap waiter: dash in a session of its own starts the program (which gets a session of its
 * own too, so `stop` can end its whole group), calls a short-lived Node helper that records the
 * start and reports on fd 3, then waits in ~2 MiB and records the exit the same way. The plan
 * goes in as an anonymous file on fd 7 (stdin is a socket, which /dev/stdin cannot reopen); the
 * waiter's command line names only the script.
 */
function startShWaiter(dash: string, spec: LaunchSpec, order: WaiterKey, log: { fd: number; folder: string }): ChildProcess {
  const status = anonymousFile(log.folder);
  const key = { name: order.name, createdAtMs: order.created_at, marker: order.marker };
  const plan = renderWaiterPlan({
    mode: 'detached',
    node: process.execPath,
    helper: waiterHelperScript,
    key: order,
    cwd: spec.cwd,
    env: {},
    signalsToDefault: 'INT,QUIT',
    json: null,
    argv: spec.argv,
  });
  const planFile = anonymousFile(log.folder);
  try {
    writeSync(planFile, plan);
    const stdio: ('pipe' | 'ignore' | number)[] = ['ignore', log.fd, log.fd, 'pipe', 'ignore', 'ignore', 'ignore', planFile, status];
    return childProcesses().spawn(dash, [waiterScript], { detached: true, cwd: spec.cwd, env: programEnv(key, process.env, spec.registry ?? null), stdio });
  } finally {
    closeSync(status);
    closeSync(planFile);
  }
}

/** What the launcher answers a waiter whose start it recorded; anything else (or nothing) and the waiter's helper records it. */
const RECORDED_ANSWER = 'recorded';

/**
 * The start a waiter reports as `started PID TICKS`, recorded by the launcher that is already running
 * rather than by a Node helper per program (one Node start less per detached program, which is most of
 * what `r --all` spends per program). The same function the helper runs: a start that cannot be
 * recorded ends the program, so nothing runs on untracked.
 */
async function recordHere(ctx: LifelineContext, order: WaiterKey, line: string): Promise<SupervisorReport> {
  const [, pidText = '', ticks = '0'] = line.trim().split(' ');
  const pid = Number(pidText);
  if (!(pid > 1)) throw new Error(`the waiter reported no pid: ${JSON.stringify(line)}`);
  const recorded = await recordWaiterStart(ctx, order, { pid, ticks });
  return recorded.ok ? { ok: true, pid } : recorded;
}

/** The fallback: a Node supervisor, told its order on stdin (never on its command line). */
function startNodeSupervisor(order: SupervisorOrder): ChildProcess {
  const supervisor = childProcesses().spawn(process.execPath, [supervisorScript], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
    cwd: order.spec.cwd,
  });
  supervisor.stdin!.on('error', () => undefined);
  supervisor.stdin!.end(JSON.stringify(order));
  return supervisor;
}

/** Why an interactive agent cannot run detached, or null (the reason `r --all --detach` skips it with). */
export function needsTerminal(argv: readonly string[]): string | null {
  const agent = interactiveAgent(argv);
  return agent === null ? null : `an interactive ${agent} needs a terminal: run it with --tmux (or in the foreground)`;
}

/** `launch --detach` and `r NAME --detach` of an interactive agent are refused before anything is written. */
function refuseInteractiveAgent(name: string, argv: readonly string[]): void {
  const why = needsTerminal(argv);
  if (why !== null) throw new LifelineError('usage', `${name}: ${why}`);
}

/**
 * Starts a detached program. Only a parent can see its child's exit, so the program is started by
 * a waiter in its own session that stays to record the exit; this function returns once the row
 * is `active` with its pid, as the SPEC asks.
 */
export async function launchDetached(
  ctx: LifelineContext,
  spec: LaunchSpec,
  paths: { db: string; logFile: string; home: string },
  onReserved: (reservation: Reservation) => void = () => undefined,
): Promise<DetachedResult> {
  refuseInteractiveAgent(spec.name, spec.argv);
  const reservation = reserveName(ctx, spec);
  onReserved(reservation);
  const way = waiting(process.env, true);
  let child: ChildProcess;
  let order: WaiterKey | null = null;
  if (way.kind === 'sh') {
    const problem = commandProblem(spec);
    if (problem !== null) {
      recordLaunchFailure(ctx, reservation.key);
      throw spawnFailureMessage(spec.argv[0]!, problem);
    }
    const log = openLog(ctx, reservation.key, paths.logFile);
    const { key } = reservation;
    const run = runFolderOf(paths.home);
    const waiterKey: WaiterKey = {
      db: paths.db,
      name: key.name,
      created_at: key.createdAtMs,
      marker: key.marker,
      detached: true,
      report: true,
      by: spec.by,
      resumed_from: spec.resumedFrom,
      status_file: null,
      exit_file: exitFileOf(run, key.marker),
      recorded_file: recordedFileOf(run, key.marker),
    };
    order = waiterKey;
    try {
      ensurePrivateFolder(run);
      child = startShWaiter(way.dash, spec, waiterKey, { fd: log, folder: dirname(paths.logFile) });
    } catch (error) {
      recordLaunchFailure(ctx, reservation.key);
      throw new LifelineError('launch-failed', `cannot start the waiter of ${spec.name}: ${(error as Error).message}`);
    } finally {
      closeSync(log);
    }
  } else {
    child = startNodeSupervisor({ db: paths.db, logFile: paths.logFile, spec, key: reservation.key });
  }
  child.on('error', () => undefined);
  const report = await readReport(child.stdio[SUPERVISOR_REPORT_FD] as NodeJS.ReadableStream | null);
  child.unref();
  if (!report.ok) throw new LifelineError('launch-failed', report.message);
  return { pid: report.pid, reservation };

  function readReport(stream: NodeJS.ReadableStream | null): Promise<SupervisorReport> {
    return new Promise((resolve) => {
      let buffer = '';
      let settled = false;
      // Settles once: an 'end' that follows a good report must not turn it into a failure (which
      // would stop the instance that just started).
      const finish = (report: SupervisorReport, answer: string | null = null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const socket = stream as unknown as { end?: (text: string) => void; destroy?: () => void } | null;
        if (answer !== null) socket?.end?.(answer);
        else socket?.destroy?.();
        // Harmless if the waiter did it; and if the program still starts later, its start finds
        // the row stopped and ends it, so nothing runs on untracked.
        if (!report.ok) recordLaunchFailure(ctx, reservation.key);
        resolve(report);
      };
      const timer = setTimeout(() => finish({ ok: false, message: `${spec.name} did not start within ${REPORT_TIMEOUT_MS / 1000} s` }), REPORT_TIMEOUT_MS);
      if (stream === null) return finish({ ok: false, message: 'could not start the waiter' });
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffer += chunk;
        const newline = buffer.indexOf('\n');
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        if (line.startsWith('started ') && order !== null) {
          void recordHere(ctx, order, line).then(
            (report) => finish(report, `${RECORDED_ANSWER}\n`),
            // Not answered: the waiter's own helper records the start (or ends the program).
            () => finish({ ok: false, message: `could not record the start of ${spec.name}` }),
          );
          return;
        }
        try {
          finish(JSON.parse(line) as SupervisorReport);
        } catch {
          finish({ ok: false, message: 'the waiter sent a report that could not be read' });
        }
      });
      stream.on('end', () => finish({ ok: false, message: `the waiter of ${spec.name} exited before the program started` }));
      stream.on('error', () => undefined);
    });
  }
}
