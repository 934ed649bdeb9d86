/**
 * What a test run left behind: processes that carry the run's id in their environment (or sit in its
 * temp folder), and anything still in the run's own TMPDIR. Read from /proc, so it sees processes
 * that were re-parented to init, detached into their own session or moved into another pid namespace.
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Set by the suite runner for `node --test`, and so inherited by every process a test starts. */
export const RUN_VARIABLE = 'LIFELINE_TEST_RUN';

export interface LeftoverProcess {
  readonly pid: number;
  readonly uid: number;
  readonly command: string;
}

export interface Leftovers {
  readonly processes: LeftoverProcess[];
  readonly paths: string[];
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return null; // Gone, a zombie, or another user's process we may not read: not ours to judge.
  }
}

/** Whether the process belongs to this run: the exact environment entry, or a working folder inside its TMPDIR. */
function belongsToRun(pid: number, runId: string, runTmp: string): boolean {
  const environ = read(`/proc/${pid}/environ`);
  if (environ !== null && environ.split('\0').includes(`${RUN_VARIABLE}=${runId}`)) return true;
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === runTmp || cwd.startsWith(`${runTmp}/`);
  } catch {
    return false;
  }
}

/** What tells which test started it: the instance a lifeline-launched program belongs to, and its state folder. */
function origin(pid: number): string {
  const environ = (read(`/proc/${pid}/environ`) ?? '').split('\0');
  const value = (key: string): string | undefined => environ.find((entry) => entry.startsWith(`${key}=`))?.slice(key.length + 1);
  const parts = [value('LIFELINE_NAME') && `instance ${value('LIFELINE_NAME')}`, value('LIFELINE_HOME') && `home ${value('LIFELINE_HOME')}`].filter(Boolean);
  return parts.length === 0 ? '' : ` [${parts.join(', ')}]`;
}

function describeProcess(pid: number): LeftoverProcess {
  const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ') + origin(pid);
  let uid = -1;
  try {
    uid = statSync(`/proc/${pid}`).uid;
  } catch {
    // Gone meanwhile.
  }
  return { pid, uid, command: cmdline.length > 160 ? `${cmdline.slice(0, 157)}...` : cmdline || '(no command line)' };
}

export function findLeftovers(runId: string, runTmp: string): Leftovers {
  const processes: LeftoverProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    if (belongsToRun(pid, runId, runTmp)) processes.push(describeProcess(pid));
  }
  let paths: string[] = [];
  try {
    paths = readdirSync(runTmp).map((name) => join(runTmp, name));
  } catch {
    // The folder itself is gone: nothing in it.
  }
  return { processes, paths };
}

/** SIGKILLs what `findLeftovers` reported, each one checked again just before (its pid may have been reused). */
export function killLeftovers(processes: readonly LeftoverProcess[], runId: string, runTmp: string): number {
  let killed = 0;
  for (const { pid } of processes) {
    if (pid <= 1 || !belongsToRun(pid, runId, runTmp)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // Ended by itself meanwhile.
    }
  }
  return killed;
}
