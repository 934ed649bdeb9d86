import pidusage from 'pidusage';

export interface ProcessUsage {
  /** Percent of one core, as `top` shows it. */
  readonly cpu: number;
  /** Resident memory in bytes. */
  readonly memory: number;
}

/**
 * CPU and memory of live processes, for `list` only: pidusage starts `getconf` children on its first
 * call, which is why it stays off the reconcile path. A pid that vanished meanwhile is just absent.
 */
export async function processUsage(pids: readonly number[]): Promise<Map<number, ProcessUsage>> {
  const usage = new Map<number, ProcessUsage>();
  if (pids.length === 0) return usage;
  try {
    // One call for all pids: pidusage then runs its `getconf` pair once, not once per pid.
    const stats = await pidusage([...pids]);
    for (const pid of pids) {
      const stat = stats[pid];
      if (stat !== undefined && stat !== null) usage.set(pid, { cpu: stat.cpu, memory: stat.memory });
    }
  } catch {
    // A lone pid that vanished between the verdict and the measurement: no figures, not an error.
  } finally {
    pidusage.clear(); // It keeps per-pid history (open files and a timer) otherwise.
  }
  return usage;
}
