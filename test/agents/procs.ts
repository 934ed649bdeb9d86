import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Process trees of the real agents. They fork (codex: a Node wrapper plus a native binary; gemini
 * relaunches itself as a child), so a kill aims at the whole tree, frozen first with SIGSTOP so that
 * no child escapes to init between the listing and the SIGKILL.
 */

interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
}

function readProc(pid: number): ProcEntry | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(rest[1]), state: rest[0] ?? '?' };
  } catch {
    return null;
  }
}

function allProcs(): ProcEntry[] {
  const entries: ProcEntry[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProc(Number(name));
    if (entry !== null) entries.push(entry);
  }
  return entries;
}

export function isRunning(pid: number): boolean {
  const entry = readProc(pid);
  return entry !== null && entry.state !== 'Z' && entry.state !== 'X';
}

/** `root` and every process below it, parents first. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of allProcs()) {
    const list = children.get(entry.ppid) ?? [];
    list.push(entry.pid);
    children.set(entry.ppid, list);
  }
  const tree: number[] = [];
  const queue = isRunning(root) ? [root] : [];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((part) => part !== '');
  } catch {
    return [];
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  if (pid <= 1 || pid === process.pid) return;
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

/** SIGSTOP then SIGKILL every given pid and whatever they forked meanwhile; waits until all are gone. */
async function killAll(listPids: () => number[]): Promise<void> {
  const frozen = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = listPids().filter((pid) => !frozen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, 'SIGSTOP');
      frozen.add(pid);
    }
  }
  for (const pid of frozen) signal(pid, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while ([...frozen].some(isRunning) && Date.now() < deadline) await sleep(50);
}

/** The `kill -9` of the scenario: the pane's command (lifeline's launcher) and everything under it. */
export async function killTree(root: number): Promise<number[]> {
  const victims = processTree(root);
  await killAll(() => processTree(root));
  return victims;
}

/** Every process whose environment holds `KEY=value` exactly: what a test run planted in all it started. */
export function processesWithEnv(key: string, value: string): number[] {
  const needle = `${key}=${value}`;
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle)) found.push(pid);
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found.filter(isRunning);
}

/** The same signal to every given pid in one pass, as a shutdown sends SIGTERM to a whole session. */
export function signalAll(pids: readonly number[], name: NodeJS.Signals): void {
  for (const pid of pids) signal(pid, name);
}

export async function killEverythingWithEnv(key: string, value: string): Promise<void> {
  await killAll(() => processesWithEnv(key, value));
}

/** For a signal handler, which cannot wait: freeze and kill without waiting for the kernel to reap. */
export function killEverythingWithEnvNow(key: string, value: string): void {
  const pids = processesWithEnv(key, value);
  for (const pid of pids) signal(pid, 'SIGSTOP');
  for (const pid of pids) signal(pid, 'SIGKILL');
}
