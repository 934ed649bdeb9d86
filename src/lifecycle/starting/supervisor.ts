import { closeSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ensurePrivateFolder, openPrivateFile } from '../../store/files.js';
import type { LifelineContext } from '../context.js';
import { SUPERVISOR_REPORT_FD, type SupervisorOrder, type SupervisorReport } from './detach.js';
import { recordExit, recordLaunchFailure, recordStart, spawnFailureMessage, spawnProgram } from './launch.js';
import { watchShutdown } from './shutdown-watch.js';

function report(message: SupervisorReport): void {
  try {
    writeSync(SUPERVISOR_REPORT_FD, `${JSON.stringify(message)}\n`);
    closeSync(SUPERVISOR_REPORT_FD);
  } catch {
    // The launcher is gone (killed, or timed out): the program still runs and is still recorded.
  }
}

/** The log file is the program's stdout and stderr: 0600 in a 0700 folder, appended across lives. */
function openLog(path: string): number {
  ensurePrivateFolder(dirname(path));
  return openPrivateFile(path, 'a');
}

/**
 * The supervisor of a detached program: starts it in its own session with output to the log,
 * records it, tells the launcher, then waits to record its exit — so a detached program that ends
 * normally never leaves a ghost. If the supervisor itself is killed, the row stays verifiable and
 * reconcile judges it by the process alone.
 */
export async function supervise(ctx: LifelineContext, order: SupervisorOrder): Promise<number> {
  const { spec, key } = order;
  // SIGHUP from a closing terminal is not for us (own session), SIGTERM is passed on to the program.
  process.on('SIGHUP', () => undefined);
  // A SIGTERM to this supervisor close to the program's end means the session went down with it.
  const shutdown = watchShutdown();
  let log: number;
  try {
    log = openLog(order.logFile);
  } catch (error) {
    recordLaunchFailure(ctx, key);
    report({ ok: false, message: `cannot open the log ${order.logFile}: ${(error as Error).message}` });
    return 1;
  }
  let child;
  try {
    child = await spawnProgram(spec, key, ['ignore', log, log]);
  } catch (error) {
    recordLaunchFailure(ctx, key);
    report({ ok: false, message: spawnFailureMessage(spec.argv[0]!, error).message });
    return 1;
  }
  closeSync(log);
  const running = child;
  process.on('SIGTERM', () => {
    // Our own child leads its own group. Once it has been reaped (exitCode or signalCode set) its
    // pid and group id are free for anyone, so nothing is sent any more.
    if (running.exitCode !== null || running.signalCode !== null) return;
    try {
      process.kill(-running.pid!, 'SIGTERM');
    } catch {
      // Already gone.
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) => {
    running.once('exit', (code, signal) => resolve({ code, signal, atMs: Date.now() }));
  });
  // Not yet reaped, so the pid and the group it leads (lifeline made it) are still the program's.
  const endGroup = (): void => {
    try {
      process.kill(-running.pid!, 'SIGTERM');
    } catch {
      running.kill('SIGTERM');
    }
  };
  let recorded: boolean;
  try {
    recorded = recordStart(ctx, spec, key, running.pid!);
  } catch (error) {
    // A start that cannot be recorded (busy database) ends the program: never untracked.
    endGroup();
    await exited;
    try {
      recordLaunchFailure(ctx, key);
    } catch {
      // Still busy: the `launching` row turns into exit:launch-failed after 30 s.
    }
    report({ ok: false, message: `could not record the start of ${spec.name}, so it was stopped: ${(error as Error).message}` });
    return 1;
  }
  if (!recorded) {
    endGroup();
    report({ ok: false, message: `${spec.name} was stopped while it was launching` });
  } else {
    report({ ok: true, pid: running.pid! });
  }
  const { code, signal, atMs } = await exited;
  recordExit(ctx, key, await shutdown.reasonFor(code, signal, atMs));
  shutdown.dispose();
  return 0;
}
