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
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await pidusage(pid);
        usage.set(pid, { cpu: stat.cpu, memory: stat.memory });
      } catch {
        // Gone between the verdict and the measurement.
      }
    }),
  );
  pidusage.clear(); // It keeps per-pid history (and a timer) otherwise.
  return usage;
}
