/**
 * `npm run bench`: the figures that say whether lifeline is cheap where it runs often. Prints each
 * figure beside its baseline and goal, and writes them as JSON (default dist/bench/results.json, or
 * the path given as the first argument) so a change can be compared with main. Not a test: nothing
 * here fails the build.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureHook } from './hook.js';
import { measureWaiting } from './waiting.js';
import { benchRestore, type Figure } from './restore.js';

/** The binary to measure: this build's, or another's (LIFELINE_BENCH_CLI) to compare two builds on one machine. */
const CLI = process.env['LIFELINE_BENCH_CLI'] || fileURLToPath(new URL('../../cli.cjs', import.meta.url));
const NODE = process.execPath;
const BOOT = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const root = mkdtempSync(join(tmpdir(), 'lifeline-bench-'));
const sleepers: ChildProcess[] = [];

function envFor(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LIFELINE_HOME: home, NO_COLOR: '1' };
  delete env['LIFELINE_DB'];
  delete env['LIFELINE_PROC_ROOT'];
  return env;
}

function timed(argv: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { env, stdio: 'ignore' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}`);
  return ms;
}

/** Peak RSS in KiB from GNU time, when the machine has it. */
function peakRssKiB(argv: string[], env: NodeJS.ProcessEnv): number | null {
  if (!existsSync('/usr/bin/time')) return null;
  const result = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const last = result.stderr.trim().split('\n').pop() ?? '';
  return /^\d+$/.test(last) ? Number(last) : null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function startToken(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return `linux:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
}

function liveSleepers(count: number): number[] {
  const pids: number[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    sleepers.push(child);
    pids.push(child.pid!);
  }
  return pids;
}

/** A fresh database made by lifeline itself, then filled directly: ghosts of an earlier boot and live rows. */
function database(home: string, ghosts: number, live: number[]): string {
  mkdirSync(home, { recursive: true });
  const created = spawnSync(NODE, [CLI, 'launch', 'seed', '--', 'true'], { env: envFor(home), stdio: 'ignore' });
  if (created.status !== 0) throw new Error('could not create the database');
  const path = join(home, 'lifeline.db');
  const db = new Database(path);
  const row = db.prepare(
    `INSERT INTO instances (name, status, pid, boot_id, proc_start, marker, created_at, argv, cwd) VALUES (?, 'active', ?, ?, ?, ?, ?, '["claude"]', '/tmp')`,
  );
  const binding = db.prepare('INSERT INTO bindings (instance, kind, value, created_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < ghosts; i++) {
      row.run(`ghost-${i}`, 100_000 + (i % 30_000), 'the-boot-before', 'linux:1', `m-${i}`, Date.now());
      binding.run(`ghost-${i}`, 'session', `session-${i}`, Date.now());
    }
    live.forEach((pid, i) => row.run(`live-${i}`, pid, BOOT, startToken(pid), null, Date.now()));
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return path;
}


const figures: Figure[] = [];
function record(figure: Figure): void {
  figures.push(figure);
  const value = figure.value === null ? 'n/a' : `${Number(figure.value.toFixed(3))} ${figure.unit}`;
  const verdict = figure.met === null ? '' : figure.met ? '  ok' : '  MISSED';
  console.log(`${figure.name.padEnd(44)} ${value.padEnd(14)} ${figure.baseline.padEnd(34)} goal ${figure.goal}${verdict}`);
}

try {
  console.log(`lifeline bench on ${process.platform}, node ${process.version}, ${new Date().toISOString()}\n`);

  // 1. The guarded reconcile against a bare node start, alternating so that drift hits both alike.
  const guardedHome = join(root, 'guarded');
  database(guardedHome, 0, []);
  const env = envFor(guardedHome);
  timed([NODE, CLI, 'reconcile', '--quiet'], env); // The real first run of the boot.
  for (let i = 0; i < 3; i++) timed([NODE, '-e', '0'], env), timed([NODE, CLI, 'reconcile', '--quiet'], env); // Warm the file cache.
  const ratios: number[] = [];
  const bare: number[] = [];
  const guarded: number[] = [];
  for (let i = 0; i < 21; i++) {
    const n = timed([NODE, '-e', '0'], env);
    const g = timed([NODE, CLI, 'reconcile', '--quiet'], env);
    bare.push(n);
    guarded.push(g);
    ratios.push(g / n);
  }
  const ratio = median(ratios);
  record({ name: '1. guarded reconcile / node -e 0 (21 pairs)', value: ratio, unit: 'x', baseline: `${median(guarded).toFixed(1)} ms vs ${median(bare).toFixed(1)} ms`, goal: '<= 1.30', met: ratio <= 1.3 });

  // 2. Full passes: N ghosts with a binding each, plus 20 live instances that must be kept.
  const live20 = liveSleepers(20);
  const passMs: Record<number, number> = {};
  const passRss: Record<number, number | null> = {};
  for (const ghosts of [1000, 10_000]) {
    const home = join(root, `pass-${ghosts}`);
    const template = `${database(home, ghosts, live20)}.template`;
    copyFileSync(join(home, 'lifeline.db'), template);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      copyFileSync(template, join(home, 'lifeline.db'));
      runs.push(timed([NODE, CLI, 'reconcile', '--quiet'], envFor(home)));
    }
    copyFileSync(template, join(home, 'lifeline.db'));
    passRss[ghosts] = peakRssKiB([NODE, CLI, 'reconcile', '--quiet'], envFor(home));
    passMs[ghosts] = median(runs);
  }
  record({ name: '2a. full reconcile, 1,000 ghosts + 20 live', value: passMs[1000]!, unit: 'ms', baseline: 'median of 3', goal: '-', met: null });
  record({ name: '2b. full reconcile, 10,000 ghosts + 20 live', value: passMs[10_000]!, unit: 'ms', baseline: 'median of 3', goal: '<= 2000 ms', met: passMs[10_000]! <= 2000 });
  const scale = passMs[10_000]! / passMs[1000]!;
  record({ name: '2c. 10k / 1k', value: scale, unit: 'x', baseline: 'linear would be 10', goal: '<= 12', met: scale <= 12 });

  // 3. list with 100 live instances (pidusage for each).
  const listHome = join(root, 'list');
  database(listHome, 0, [...live20, ...liveSleepers(80)]);
  const listRuns = Array.from({ length: 5 }, () => timed([NODE, CLI, 'list'], envFor(listHome)));
  const listMs = median(listRuns);
  record({ name: '3. list, 100 live instances', value: listMs, unit: 'ms', baseline: 'median of 5', goal: '<= 500 ms', met: listMs <= 500 });

  // 4. Peak memory of each.
  const rss = {
    node: peakRssKiB([NODE, '-e', '0'], env),
    guarded: peakRssKiB([NODE, CLI, 'reconcile', '--quiet'], env),
    pass1k: passRss[1000] ?? null,
    pass10k: passRss[10_000] ?? null,
    list: peakRssKiB([NODE, CLI, 'list'], envFor(listHome)),
  };
  const mib = (kib: number | null): number | null => (kib === null ? null : kib / 1024);
  record({ name: '4a. peak RSS, node -e 0', value: mib(rss.node), unit: 'MiB', baseline: 'baseline', goal: '-', met: null });
  record({ name: '4b. peak RSS, guarded reconcile', value: mib(rss.guarded), unit: 'MiB', baseline: '', goal: '-', met: null });
  record({ name: '4c. peak RSS, reconcile 1,000', value: mib(rss.pass1k), unit: 'MiB', baseline: '', goal: '-', met: null });
  record({ name: '4d. peak RSS, reconcile 10,000', value: mib(rss.pass10k), unit: 'MiB', baseline: '', goal: '-', met: null });
  record({ name: '4e. peak RSS, list of 100', value: mib(rss.list), unit: 'MiB', baseline: '', goal: '-', met: null });

  // 5. Processes a later shell's snippet starts, counted with strace.
  let spawned: number | null = null;
  if (spawnSync('sh', ['-c', 'command -v strace'], { stdio: 'ignore' }).status === 0) {
    const snippet = join(root, 'snippet.bash');
    writeFileSync(snippet, spawnSync(NODE, [CLI, 'init', 'bash'], { env, encoding: 'utf8' }).stdout);
    const trace = join(root, 'trace');
    spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve,fork,vfork,clone,clone3', '-o', trace, 'bash', '--norc', '--noprofile', '-c', `. '${snippet}'`], { env, stdio: 'ignore' });
    spawned = readFileSync(trace, 'utf8').split('\n').filter((line) => line.trim() !== '').slice(1).filter((line) => !line.includes('CLONE_THREAD')).length;
  }
  record({ name: "5. processes started by a later shell's snippet", value: spawned, unit: '', baseline: 'bash, strace -f', goal: '0', met: spawned === null ? null : spawned === 0 });

  // 6. Bringing a boot back: r --all of 20 instances (and pm2 resurrect beside it, when pm2 is installed).
  for (const figure of benchRestore(NODE, CLI, root, env)) record(figure);

  // 7-9. Waiting costs almost nothing (SPEC §12), and the guarded path with no database yet.
  const waitingFigures = await measureWaiting(CLI, root);
  const each = (kib: number | null): number | null => (kib === null ? null : kib / 1024);
  record({ name: "7a. lifeline's own RSS per detached program", value: each(waitingFigures.detachedKiBEach), unit: 'MiB', baseline: '20 detached sleep, all lifeline pids / 20', goal: '<= 5 MiB', met: waitingFigures.detachedKiBEach === null ? null : waitingFigures.detachedKiBEach <= 5 * 1024 });
  record({ name: "7b. lifeline's own RSS per foreground program", value: each(waitingFigures.foregroundKiBEach), unit: 'MiB', baseline: '5 launches in tmux panes / 5', goal: '<= 5 MiB', met: waitingFigures.foregroundKiBEach === null ? null : waitingFigures.foregroundKiBEach <= 5 * 1024 });
  const promptRatio = waitingFigures.launchToPromptRatio;
  record({
    name: '8a. launch -- true, to the prompt (the bin) / node -e 0',
    value: promptRatio,
    unit: 'x',
    baseline: `${(waitingFigures.launchToPromptMs ?? 0).toFixed(1)} ms vs ${(waitingFigures.launchToPromptBareMs ?? 0).toFixed(1)} ms, 21 alternating pairs`,
    goal: '<= 1.50',
    met: promptRatio === null ? null : promptRatio <= 1.5,
  });
  record({ name: '8b. launch -- true with node cli.cjs', value: waitingFigures.launchToPromptNodeMs, unit: 'ms', baseline: 'Node parent, median of 11', goal: '-', met: null });
  record({ name: '8c. the finish helper alone', value: waitingFigures.finishHelperMs, unit: 'ms', baseline: 'recorded after the prompt is back', goal: '-', met: null });
  record({ name: '9. guarded reconcile, no database / node -e 0', value: waitingFigures.noDbGuardedRatio, unit: 'x', baseline: `${waitingFigures.noDbGuardedMs.toFixed(1)} ms vs ${waitingFigures.noDbBareMs.toFixed(1)} ms`, goal: '<= 1.30', met: waitingFigures.noDbGuardedRatio <= 1.3 });

  // 10. An agent waits for its hooks: at its start, and at every turn (SPEC §14: a turn hook costs no more).
  const hook = await measureHook(CLI);
  const hookBaseline = (ms: number): string => `${ms.toFixed(1)} ms vs ${hook.bareMs.toFixed(1)} ms, median of ${hook.runs}`;
  record({ name: '10a. lifeline hook claude, SessionStart / node', value: hook.sessionMs / hook.bareMs, unit: 'x', baseline: hookBaseline(hook.sessionMs), goal: '-', met: null });
  record({ name: '10b. lifeline hook claude, a turn event / node', value: hook.turnMs / hook.bareMs, unit: 'x', baseline: hookBaseline(hook.turnMs), goal: '<= 10a + 10%', met: hook.turnsRecorded && hook.turnMs <= hook.sessionMs * 1.1 });

  const out = process.argv[2] ?? fileURLToPath(new URL('../../bench/results.json', import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, figures, rss_kib: rss, waiting: waitingFigures, hook }, null, 2)}\n`);
  console.log(`\nfigures written to ${out}`);
} finally {
  for (const child of sleepers) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
