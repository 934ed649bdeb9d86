/**
 * Bench figures for SPEC §12: what lifeline's own processes hold while programs run (20 detached,
 * 5 foreground in real terminals), how long `launch -- true` takes to give the prompt back, and
 * the guarded reconcile on a machine with no database yet.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface WaitingFigures {
  detachedKiBEach: number | null;
  foregroundKiBEach: number | null;
  launchToPromptMs: number | null;
  /** Median of the per-pair ratios over `node -e 0` run alternately (issue: ≤ 1.5). */
  launchToPromptRatio: number | null;
  launchToPromptBareMs: number | null;
  launchToPromptNodeMs: number | null;
  finishHelperMs: number | null;
  noDbGuardedRatio: number;
  noDbGuardedMs: number;
  noDbBareMs: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timed(argv: string[], env: NodeJS.ProcessEnv, input?: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'], input });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}`);
  return ms;
}

function envFor(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LIFELINE_HOME: home, NO_COLOR: '1' };
  delete env['LIFELINE_DB'];
  delete env['LIFELINE_PROC_ROOT'];
  delete env['TMUX'];
  return env;
}

/** Processes whose environment names this home: lifeline's own, the programs, and the panes' shells. */
function processesOf(home: string): { pid: number; rssKiB: number; exe: string }[] {
  const found: { pid: number; rssKiB: number; exe: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`LIFELINE_HOME=${home}`)) continue;
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      found.push({ pid: Number(entry), rssKiB: rss === null ? 0 : Number(rss[1]), exe: readlinkSync(`/proc/${entry}/exe`) });
    } catch {
      // Gone, or a zombie.
    }
  }
  return found;
}

function programPids(cli: string, env: NodeJS.ProcessEnv): number[] {
  const result = spawnSync(process.execPath, [cli, 'list', '--json'], { env, encoding: 'utf8' });
  return (JSON.parse(result.stdout || '[]') as { pid: number | null }[]).map((row) => row.pid ?? 0);
}

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** lifeline's own RSS with 20 detached `sleep` programs, per program. */
async function detachedRss(cli: string, root: string): Promise<number> {
  const home = join(root, 'rss-detached');
  const env = envFor(home);
  for (let i = 0; i < 20; i++) {
    const result = spawnSync(process.execPath, [cli, 'launch', `d-${i}`, '--detach', '--', 'sleep', '600'], { env, stdio: 'ignore' });
    if (result.status !== 0) throw new Error('a detached launch failed');
  }
  await new Promise((resolve) => setTimeout(resolve, 1500)); // The start helpers are done.
  const programs = new Set(programPids(cli, env));
  const own = processesOf(home).filter((p) => !programs.has(p.pid));
  const total = own.reduce((sum, p) => sum + p.rssKiB, 0);
  spawnSync(process.execPath, [cli, 'stop', '--all', '--timeout', '2'], { env, stdio: 'ignore' });
  return total / 20;
}

/** The same for 5 foreground launches, each in a pane of a private tmux server. */
async function foregroundRss(launcher: string[], cli: string, root: string): Promise<number | null> {
  if (spawnSync('sh', ['-c', 'command -v tmux'], { stdio: 'ignore' }).status !== 0) return null;
  const home = join(root, 'rss-foreground');
  mkdirSync(home, { recursive: true });
  const env = { ...envFor(home), TMUX_TMPDIR: mkdtempSync(join(tmpdir(), 'lifeline-bench-tmux-')) };
  const socket = `lifeline-bench-${process.pid}`;
  const tmux = (args: string[]): string => spawnSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env, encoding: 'utf8' }).stdout;
  try {
    for (let i = 0; i < 5; i++) {
      const command = [...launcher, 'launch', `f-${i}`, '--', 'sleep', '600'].map((word) => `'${word}'`).join(' ');
      tmux(['new-session', '-d', '-s', `f${i}`, `exec env LIFELINE_HOME='${home}' bash --norc --noprofile -c ${JSON.stringify(`${command}; sleep 600`)}`]);
    }
    await until('5 running programs', () => programPids(cli, env).filter((pid) => pid > 0).length === 5);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const programs = new Set(programPids(cli, env));
    const panes = new Set(tmux(['list-panes', '-a', '-F', '#{pane_pid}']).split('\n').filter(Boolean).map(Number));
    const own = processesOf(home).filter((p) => !programs.has(p.pid) && !panes.has(p.pid) && !/tmux|bash/.test(p.exe));
    const total = own.reduce((sum, p) => sum + p.rssKiB, 0);
    spawnSync(process.execPath, [cli, 'stop', '--all', '--timeout', '2'], { env, stdio: 'ignore' });
    return total / 5;
  } finally {
    tmux(['kill-server']);
    rmSync(env.TMUX_TMPDIR, { recursive: true, force: true });
  }
}

export async function measureWaiting(cli: string, root: string): Promise<WaitingFigures> {
  const entryScript = join(dirname(cli), '..', 'bin', 'lifeline');
  // Before the sh entry existed, the bin was the Node entry itself.
  const launcher = existsSync(entryScript) ? [entryScript] : [process.execPath, cli];
  const figures: WaitingFigures = {
    detachedKiBEach: null,
    foregroundKiBEach: null,
    launchToPromptMs: null,
    launchToPromptRatio: null,
    launchToPromptBareMs: null,
    launchToPromptNodeMs: null,
    finishHelperMs: null,
    noDbGuardedRatio: 0,
    noDbGuardedMs: 0,
    noDbBareMs: 0,
  };

  // The guarded reconcile of a shell start on a machine where nothing was launched yet.
  const empty = join(root, 'no-db');
  const env = envFor(empty);
  const ratios: number[] = [];
  const bare: number[] = [];
  const guarded: number[] = [];
  timed([process.execPath, cli, 'reconcile', '--quiet'], env);
  for (let i = 0; i < 21; i++) {
    const n = timed([process.execPath, '-e', '0'], env);
    const g = timed([process.execPath, cli, 'reconcile', '--quiet'], env);
    bare.push(n);
    guarded.push(g);
    ratios.push(g / n);
  }
  figures.noDbGuardedRatio = median(ratios);
  figures.noDbGuardedMs = median(guarded);
  figures.noDbBareMs = median(bare);

  // Launch to prompt for `-- true`: the bin as a user runs it, and node with the entry directly.
  const prompt = join(root, 'prompt');
  const promptEnv = envFor(prompt);
  timed([...launcher, 'launch', 'warm', '--', 'true'], promptEnv);
  const viaBin: number[] = [];
  const viaNode: number[] = [];
  const bareBeside: number[] = [];
  const binRatios: number[] = [];
  for (let i = 0; i < 21; i++) {
    const bareMs = timed([process.execPath, '-e', '0'], promptEnv);
    const binMs = timed([...launcher, 'launch', '--', 'true'], promptEnv);
    bareBeside.push(bareMs);
    viaBin.push(binMs);
    binRatios.push(binMs / bareMs);
    if (i % 2 === 0) viaNode.push(timed([process.execPath, cli, 'launch', '--', 'true'], promptEnv));
  }
  figures.launchToPromptMs = median(viaBin);
  figures.launchToPromptRatio = median(binRatios);
  figures.launchToPromptBareMs = median(bareBeside);
  figures.launchToPromptNodeMs = median(viaNode);

  // The finish step alone: what the foreground no longer waits for (the waiter's report stands in for it meanwhile).
  const helper = join(dirname(cli), 'waiter.cjs');
  if (existsSync(helper)) {
    const key = JSON.stringify({ db: join(prompt, 'lifeline.db'), name: 'nobody', created_at: 1, marker: 'm', detached: false, report: false, by: 'user', resumed_from: null, status_file: null });
    const runs = Array.from({ length: 7 }, () => timed([process.execPath, helper, 'finish'], promptEnv, `${key}\n${process.pid} 1\ncode 0\n`));
    figures.finishHelperMs = median(runs);
  }

  figures.detachedKiBEach = await detachedRss(cli, root);
  figures.foregroundKiBEach = await foregroundRss(launcher, cli, root);
  void spawn;
  return figures;
}
