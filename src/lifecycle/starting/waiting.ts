import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findOnPath } from '../../integration/on-path.js';
import { platform, procRoot } from '../../proc/index.js';

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

let cached: Waiting | undefined;

/** How this machine waits; worked out once per process (one `env` run, ~2 ms). */
export function waiting(env: NodeJS.ProcessEnv = process.env): Waiting {
  if (cached !== undefined && env === process.env) return cached;
  const found = probeWaiting(env);
  if (env === process.env) cached = found;
  return found;
}

function probeWaiting(env: NodeJS.ProcessEnv): Waiting {
  if (env[WAITER_ENV] === 'node') return { kind: 'node', why: `${WAITER_ENV}=node` };
  if (platform() !== 'linux') return { kind: 'node', why: `no /proc on ${platform()}` };
  if (procRoot(env) !== '/proc') return { kind: 'node', why: 'LIFELINE_PROC_ROOT points away from /proc' };
  if (!existsSync('/proc/self/stat')) return { kind: 'node', why: 'no /proc' };
  const dash = findDash(env);
  if (dash === null) return { kind: 'node', why: 'no dash' };
  if (findOnPath('setsid', env) === null) return { kind: 'node', why: 'no setsid (util-linux)' };
  const probe = spawnSync('env', ['--default-signal=INT,QUIT', 'true'], { stdio: 'ignore', env });
  if (probe.status !== 0) return { kind: 'node', why: 'env has no --default-signal (GNU coreutils 8.31 or newer)' };
  return { kind: 'sh', dash };
}

/** One line for `doctor`: what waits while a program runs here. */
export function describeWaiting(env: NodeJS.ProcessEnv = process.env): { kind: 'sh' | 'node'; text: string } {
  const found = waiting(env);
  return found.kind === 'sh'
    ? { kind: 'sh', text: `a dash waiter (${found.dash}), about 2 MiB per running program` }
    : { kind: 'node', text: `a Node process, about 45 MiB per running program (fallback: ${found.why})` };
}
