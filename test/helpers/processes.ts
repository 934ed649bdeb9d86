import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { after } from 'node:test';
import { RUN_VARIABLE } from '../suite/leftovers.js';

const started: number[] = [];

after(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as most should be.
    }
  }
});

/**
 * The suite run's id, for a process started with an environment of its own instead of the test's:
 * the leftover check at the end of `npm test` finds this run's processes by it.
 */
export function runTag(): NodeJS.ProcessEnv {
  const id = process.env[RUN_VARIABLE];
  return id === undefined ? {} : { [RUN_VARIABLE]: id };
}

/** Remembers a pid to SIGKILL when the test file ends, whatever happened in between. */
export function cleanupLater(pid: number | undefined): void {
  if (pid !== undefined) started.push(pid);
}

/** A real long-running process (`sleep`), killed when the test file ends. */
export function startSleeper(seconds = 300, options: SpawnOptions = {}): ChildProcess & { pid: number } {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore', ...options });
  cleanupLater(child.pid);
  return child as ChildProcess & { pid: number };
}

/** Field 3 of the real /proc/<pid>/stat (R, S, Z, …), or null when there is no such process. */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

export function isAlive(pid: number): boolean {
  const state = procState(pid);
  return state !== null && state !== 'Z' && state !== 'X';
}

/** Field 22 of the real /proc/<pid>/stat, as lifeline records it. */
export function startToken(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return `linux:${fields[19]}`;
}

export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function bootId(): string {
  return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

/** Whether a tool is on PATH, for tests that need one (strace, zsh, …) and say so when skipped. */
export function have(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v '${command}'`], { stdio: 'ignore' }).status === 0;
}
