import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTRY } from './entry.js';
import { cleanupLater, have, waitFor } from './processes.js';

/** Root, unshare and nsenter: what a throw-away machine needs. */
export const canBoot = process.getuid?.() === 0 && have('unshare') && have('nsenter');

export interface MachineResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A throw-away machine for one boot: a pid namespace with its own /proc, so that a `kill -1` inside
 * reaches only what the test started there, and a mount namespace where a file holding a new uuid
 * is bind-mounted over /proc/sys/kernel/random/boot_id, so every process started in it reads that
 * boot id. Killing its init takes every process of the namespace with it.
 */
export interface Machine {
  readonly bootId: string;
  /** Runs a command inside and waits for it. */
  run(argv: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): MachineResult;
  /** `lifeline ARGS` inside, through the sh entry (the way a user's shell runs it). */
  lifeline(args: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): MachineResult;
  /** Starts a command inside without waiting for it (a foreground launch). */
  start(argv: readonly string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): ChildProcess;
  /** A graceful end: SIGTERM to every process of the machine at once (init aside), as a shutdown sends it. */
  terminateAll(): void;
  /** A hard end: every process of the machine is killed at once, as at a power cut; resolves once init is gone. */
  powerOff(): Promise<void>;
}

export async function bootMachine(dir: string, env: NodeJS.ProcessEnv): Promise<Machine> {
  const bootId = randomUUID();
  const file = join(dir, `boot_id-${bootId}`);
  writeFileSync(file, `${bootId}\n`);
  const ready = join(dir, `booted-${bootId}`);
  // The init is a shell, which reaps the orphans a pid namespace's init inherits (sleep would not).
  const init = `mount --bind '${file}' /proc/sys/kernel/random/boot_id && : > '${ready}' && while :; do sleep 600 & wait; done`;
  const unshare = spawn('unshare', ['--pid', '--fork', '--mount', '--mount-proc', 'sh', '-c', init], { stdio: 'ignore' });
  cleanupLater(unshare.pid);
  const gone = new Promise<void>((resolve) => unshare.once('exit', () => resolve()));
  await waitFor('the machine to boot', () => existsSync(ready));
  const initPid = Number(readFileSync(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').trim().split(' ')[0]);
  cleanupLater(initPid);
  const enter = (argv: readonly string[], cwd: string): string[] => ['-t', String(initPid), '-p', '-m', `--wd=${cwd}`, ...argv];
  const run: Machine['run'] = (argv, options = {}) => {
    const result = spawnSync('nsenter', enter(argv, options.cwd ?? dir), { env: options.env ?? env, encoding: 'utf8', timeout: 60_000 });
    if (result.error !== undefined) throw result.error;
    return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
  };
  return {
    bootId,
    run,
    lifeline: (args, options) => run([ENTRY, ...args], options),
    start: (argv, options = {}) => spawn('nsenter', enter(argv, options.cwd ?? dir), { env: options.env ?? env, stdio: 'ignore' }),
    terminateAll() {
      // kill(-1) spares its caller and the namespace's init: everything else gets SIGTERM in one call.
      const result = run(['sh', '-c', 'kill -TERM -1']);
      if (result.code !== 0) throw new Error(`kill -TERM -1 failed: ${result.stderr}`);
    },
    async powerOff() {
      try {
        process.kill(initPid, 'SIGKILL');
      } catch {
        // Gone already.
      }
      await gone;
    },
  };
}
