import { setTimeout as sleep } from 'node:timers/promises';
import { exitReason, type ExitReason, SHUTDOWN_REASON, SHUTDOWN_WINDOW_MS, type ShutdownReason } from '../vocabulary.js';

/**
 * Signals whose default action ends a program at once. When one of them ended the program, the
 * watcher's own SIGTERM of the same shutdown may still be on its way (the system signals every
 * process in turn), so the watcher waits for it; any other end had time for that SIGTERM to land.
 */
const ABRUPT: ReadonlySet<NodeJS.Signals> = new Set(['SIGTERM', 'SIGHUP', 'SIGKILL']);

/** How long a Node watcher gives a SIGTERM already sent to it to reach its handler (an event-loop turn or two). */
const PENDING_SIGNAL_MS = 30;

/** Whether an end at `endedAtMs` and the watcher's SIGTERM at `termedAtMs` are one going-down. */
export function withinShutdownWindow(termedAtMs: number | null, endedAtMs: number): boolean {
  return termedAtMs !== null && Math.abs(endedAtMs - termedAtMs) <= SHUTDOWN_WINDOW_MS;
}

export interface ShutdownWatch {
  /**
   * The reason to record for the program's end, seen at `endedAtMs`: `exit:shutdown` when this
   * process received SIGTERM within the window of it (waiting out the window after an abrupt end),
   * else the program's own code or signal.
   */
  reasonFor(code: number | null, signal: NodeJS.Signals | null, endedAtMs: number): Promise<ExitReason | ShutdownReason>;
  dispose(): void;
}

/**
 * Notes when the Node watcher of a program (the detached supervisor, the foreground parent) itself
 * receives SIGTERM. It only listens: the caller's own handler passes the signal on to the program.
 */
export function watchShutdown(): ShutdownWatch {
  let termedAtMs: number | null = null;
  let wake: (() => void) | null = null;
  const onTerm = (): void => {
    termedAtMs = Date.now();
    wake?.();
  };
  process.on('SIGTERM', onTerm);
  return {
    async reasonFor(code, signal, endedAtMs) {
      // One `kill -TERM -1` reaches the program and this process together; Node may hand us the
      // child's exit before its own SIGTERM handler has run. A moment lets a pending SIGTERM land.
      if (termedAtMs === null) await sleep(PENDING_SIGNAL_MS);
      if (!withinShutdownWindow(termedAtMs, endedAtMs) && signal !== null && ABRUPT.has(signal)) {
        const left = endedAtMs + SHUTDOWN_WINDOW_MS - Date.now();
        if (left > 0) {
          const controller = new AbortController();
          wake = () => controller.abort();
          await sleep(left, undefined, { signal: controller.signal }).catch(() => undefined);
          wake = null;
        }
      }
      return withinShutdownWindow(termedAtMs, endedAtMs) ? SHUTDOWN_REASON : exitReason(code, signal);
    },
    dispose() {
      process.off('SIGTERM', onTerm);
    },
  };
}
