import { childProcesses } from '../../child-processes.js';
import { closeSync, existsSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../../integration/on-path.js';
import { platform, procRoot } from '../../proc/index.js';
import { openPrivateFile, readSmallFile } from '../../store/files.js';
import { lifelineHome } from '../../store/paths.js';

/**
 * What waits for a launched program. The cheap way is a dash script (bin/lifeline-wait, ~2 MiB);
 * it needs dash itself (bash loses child statuses under signals), the real /proc (start token,
 * SigIgn), GNU env's --default-signal (coreutils 8.31+, to undo the ignored INT/QUIT of an async
 * list) and util-linux setsid (helpers out of the terminal's reach). Where one is missing, a Node
 * process waits instead, as lifeline always did (~45 MiB).
 */
export type Waiting = { readonly kind: 'sh'; readonly dash: string } | { readonly kind: 'node'; readonly why: string };

/** `LIFELINE_WAITER=node` asks for the Node parent whatever the machine has (for tests and doubts). */
export const WAITER_ENV = 'LIFELINE_WAITER';

function findDash(env: NodeJS.ProcessEnv): string | null {
  for (const candidate of ['/bin/dash', '/usr/bin/dash']) if (existsSync(candidate)) return candidate;
  return findOnPath('dash', env);
}

/**
 * Whether the `env` on PATH has --default-signal. Asking means running it (~5 ms, a good part of a
 * foreground launch's preparation), so a yes is remembered in the state folder for that very file
 * (its path, device, inode, size and mtime): an upgraded or replaced `env` is asked again.
 */
function envResetsSignals(env: NodeJS.ProcessEnv, remember: boolean): boolean {
  const path = findOnPath('env', env);
  let memo: string | null = null;
  let file: string | null = null;
  if (path !== null) {
    try {
      const stats = statSync(path);
      memo = `${path}\n${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}\n`;
      file = join(lifelineHome(env), 'env-default-signal');
      if (readSmallFile(file, 64 * 1024, false) === memo) return true;
    } catch {
      memo = null;
    }
  }
  const ok = childProcesses().spawnSync('env', ['--default-signal=INT,QUIT', 'true'], { stdio: 'ignore', env }).status === 0;
  if (ok && remember && memo !== null && file !== null) writeMemo(file, memo);
  return ok;
}

/** Best effort (only a launch writes it, into the state folder it has made): in a race it is asked again next time. */
function writeMemo(file: string, memo: string): void {
  try {
    rmSync(file, { force: true });
    const fd = openPrivateFile(file, 'wx');
    try {
      writeSync(fd, memo);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Asked again next time.
  }
}

let cached: Waiting | undefined;

/**
 * How this machine waits; worked out once per process. A launch passes `remember`: the answer
 * about `env` is then kept in the state folder; `doctor` only reads it.
 */
export function waiting(env: NodeJS.ProcessEnv = process.env, remember = false): Waiting {
  if (cached !== undefined && env === process.env) return cached;
  const found = probeWaiting(env, remember);
  if (env === process.env) cached = found;
  return found;
}

function probeWaiting(env: NodeJS.ProcessEnv, remember: boolean): Waiting {
  if (env[WAITER_ENV] === 'node') return { kind: 'node', why: `${WAITER_ENV}=node` };
  if (platform() !== 'linux') return { kind: 'node', why: `no /proc on ${platform()}` };
  if (procRoot(env) !== '/proc') return { kind: 'node', why: 'LIFELINE_PROC_ROOT points away from /proc' };
  if (!existsSync('/proc/self/stat')) return { kind: 'node', why: 'no /proc' };
  const dash = findDash(env);
  if (dash === null) return { kind: 'node', why: 'no dash' };
  if (findOnPath('setsid', env) === null) return { kind: 'node', why: 'no setsid (util-linux)' };
  if (!envResetsSignals(env, remember)) return { kind: 'node', why: 'env has no --default-signal (GNU coreutils 8.31 or newer)' };
  return { kind: 'sh', dash };
}

/** One line for `doctor`: what waits while a program runs here. */
export function describeWaiting(env: NodeJS.ProcessEnv = process.env): { kind: 'sh' | 'node'; text: string } {
  const found = waiting(env);
  return found.kind === 'sh'
    ? { kind: 'sh', text: `a dash waiter (${found.dash}), about 2 MiB per running program` }
    : { kind: 'node', text: `a Node process, about 45 MiB per running program (fallback: ${found.why})` };
}
