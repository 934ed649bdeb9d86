import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The sh entry, package.json `bin`: what a user's shell runs. */
export const ENTRY = fileURLToPath(new URL('../../../bin/lifeline', import.meta.url));

export interface EntryResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function entry(args: readonly string[], env: NodeJS.ProcessEnv, options: SpawnSyncOptions = {}): EntryResult {
  const result = spawnSync(ENTRY, args, { env, encoding: 'utf8', timeout: 60_000, ...options });
  if (result.error !== undefined) throw result.error;
  return { code: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/**
 * The entry started in a process group of its own (`detached`), as a shell with job control
 * starts a command: the group is what a terminal's Ctrl-C or hang-up reaches.
 */
export function entryAsync(args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess & { done: Promise<EntryResult>; exited: Promise<void> } {
  const child = spawn(ENTRY, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<EntryResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  // `done` waits for the output pipes too, which a program that outlives the entry holds open.
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return Object.assign(child, { done, exited });
}

/** Fields after the command name in /proc/<pid>/stat (index 0 is field 3, the state). */
export function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function exeOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}

/** The SigIgn mask of a process, as a bigint. */
export function ignoredSignals(pid: number): bigint {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('SigIgn:'))!;
  return BigInt(`0x${line.split(/\s+/)[1]}`);
}

export function isIgnored(mask: bigint, signal: number): boolean {
  return ((mask >> BigInt(signal - 1)) & 1n) === 1n;
}
