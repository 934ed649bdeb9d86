import type * as ChildProcesses from 'node:child_process';
import { createRequire } from 'node:module';
import { resolveFrom } from './self.js';

let loaded: typeof ChildProcesses | undefined;

/**
 * node:child_process, loaded the first time a process is started. Loading it costs about 3 ms (net
 * and dgram come along), and the preparation of a foreground launch — which the prompt waits
 * for — starts no process at all.
 */
export function childProcesses(): typeof ChildProcesses {
  return (loaded ??= createRequire(resolveFrom)('node:child_process') as typeof ChildProcesses);
}
