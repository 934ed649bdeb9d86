/**
 * Bench of bringing a boot back: `r --all --detach --spacing 0` of 20 and 100 instances that a
 * reconcile pass stopped (with and without the settle check), one detached start, the restoring login
 * item, and pm2 doing the same (`pm2 resurrect` of 20 and 100, one `pm2 start`), side by side: pm2 is
 * installed pinned into the agent CLIs' cache folder, never globally, and skipped with the reason
 * when the registry cannot be reached.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { installAgent } from '../agents/install.js';

/** One printed figure of `npm run bench`. */
export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  baseline: string;
  goal: string;
  met: boolean | null;
}

const COUNT = 20;
const MANY = 100;

function run(argv: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { env, stdio: 'ignore', timeout: 120_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}`);
  return ms;
}

/** A registry (made by one launch) holding `count` `sleep 600` rows of an earlier boot: ghosts for a reconcile to stop. */
function seedLastBoot(node: string, cli: string, home: string, homeEnv: NodeJS.ProcessEnv, count: number, detached: boolean): void {
  run([node, cli, 'launch', 'seed', '--', 'true'], homeEnv);
  const db = new Database(join(home, 'lifeline.db'));
  const row = db.prepare(
    `INSERT INTO instances (name, status, pid, boot_id, proc_start, marker, created_at, argv, cwd, detached) VALUES (?, 'active', ?, 'the-boot-before', 'linux:1', ?, ?, '["sleep","600"]', ?, ?)`,
  );
  db.transaction(() => {
    for (let i = 0; i < count; i++) row.run(`agent-${i}`, 100_000 + i, `m-${i}`, Date.now() - 100_000 + i, home, detached ? 1 : 0);
  })();
  db.close();
}

/** `r --all --detach --spacing 0` of `count` instances a reconcile pass just stopped: wall time, in ms. */
function restoreOnce(node: string, cli: string, home: string, env: NodeJS.ProcessEnv, count: number, settle: string[]): number {
  mkdirSync(home, { recursive: true });
  const homeEnv = { ...env, LIFELINE_HOME: home };
  seedLastBoot(node, cli, home, homeEnv, count, true);
  run([node, cli, 'reconcile', '--quiet'], homeEnv);
  try {
    return run([node, cli, 'r', '--all', '--detach', '--spacing', '0', ...settle], homeEnv);
  } finally {
    spawnSync(node, [cli, 'stop', '--all', '--timeout', '2'], { env: homeEnv, stdio: 'ignore' });
  }
}

/**
 * `login-item install --restore`: from the login item's command starting (`reconcile --quiet
 * --defer-notice --restore`) to every one of 20 programs of the last boot verified running in tmux, on a
 * private tmux server. The default 1 s spacing between starts is most of it.
 */
function loginRestore(node: string, cli: string, home: string, env: NodeJS.ProcessEnv): Figure {
  const name = `6e. login item --restore, ${COUNT} programs back in tmux`;
  if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) {
    return { name, value: null, unit: 's', baseline: 'tmux not installed', goal: '-', met: null };
  }
  mkdirSync(home, { recursive: true });
  const tmuxDir = join(home, 'tmux');
  mkdirSync(tmuxDir, { mode: 0o700 });
  const homeEnv: NodeJS.ProcessEnv = { ...env, LIFELINE_HOME: home, TMUX_TMPDIR: tmuxDir };
  delete homeEnv['TMUX'];
  seedLastBoot(node, cli, home, homeEnv, COUNT, false);
  try {
    const ms = run([node, cli, 'reconcile', '--quiet', '--defer-notice', '--restore'], homeEnv);
    return { name, value: ms / 1000, unit: 's', baseline: 'to all verified running; 1 s spacing', goal: `<= ${COUNT + 5} s`, met: ms / 1000 <= COUNT + 5 };
  } finally {
    spawnSync(node, [cli, 'stop', '--all', '--timeout', '2'], { env: homeEnv, stdio: 'ignore' });
    spawnSync('tmux', ['kill-server'], { env: homeEnv, stdio: 'ignore' });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function benchRestore(node: string, cli: string, root: string, env: NodeJS.ProcessEnv): Figure[] {
  const figures: Figure[] = [];
  let runs = 0;
  const home = (): string => join(root, `restore-${runs++}`);
  // The settle check runs beside the starts (its windows overlap): with it, the wall time is about the starts plus one window.
  for (const [count, goal] of [[COUNT, 600], [MANY, 1100]] as const) {
    const ms = median([0, 1, 2].map(() => restoreOnce(node, cli, home(), env, count, ['--settle', '0'])));
    figures.push({ name: `6a. r --all --detach, ${count} instances, --settle 0`, value: ms, unit: 'ms', baseline: 'median of 3, --spacing 0', goal: `<= ${goal} ms (pm2 resurrect, measured)`, met: ms <= goal });
    const settled = restoreOnce(node, cli, home(), env, count, []);
    figures.push({ name: `6b. r --all --detach, ${count} instances, default --settle 3`, value: settled, unit: 'ms', baseline: 'the 3 s settle window runs beside the starts', goal: `<= ${goal + 3000} ms`, met: settled <= goal + 3000 });
  }
  const oneHome = home();
  mkdirSync(oneHome, { recursive: true });
  const oneEnv = { ...env, LIFELINE_HOME: oneHome };
  const one = median([0, 1, 2, 3, 4].map((i) => run([node, cli, 'launch', `one-${i}`, '--detach', '--', 'sleep', '600'], oneEnv)));
  spawnSync(node, [cli, 'stop', '--all', '--timeout', '2'], { env: oneEnv, stdio: 'ignore' });
  figures.push({ name: '6c. launch --detach, one program', value: one, unit: 'ms', baseline: 'median of 5', goal: '<= 210 ms (pm2 start, measured)', met: one <= 210 });

  figures.push(loginRestore(node, cli, home(), env));

  const pm2 = pm2Figures(root, env);
  figures.push(...pm2, ...ratios(figures, pm2));
  return figures;
}

/** lifeline's figure over pm2's for the same work (below 1: lifeline is faster). */
function ratios(ours: readonly Figure[], pm2: readonly Figure[]): Figure[] {
  const pairs: [string, string, string][] = [
    [`6a. r --all --detach, ${COUNT} instances, --settle 0`, `resurrect, ${COUNT} processes`, `r --all / pm2 resurrect, ${COUNT}`],
    [`6a. r --all --detach, ${MANY} instances, --settle 0`, `resurrect, ${MANY} processes`, `r --all / pm2 resurrect, ${MANY}`],
    ['6c. launch --detach, one program', 'start, one program', 'launch --detach / pm2 start'],
  ];
  return pairs.flatMap(([mine, theirs, name]) => {
    const a = ours.find((figure) => figure.name === mine)?.value;
    const b = pm2.find((figure) => figure.name.endsWith(theirs))?.value;
    if (a === null || a === undefined || b === null || b === undefined) return [];
    return [{ name: `6f. ${name}`, value: a / b, unit: 'x', baseline: `${a.toFixed(0)} ms vs ${b.toFixed(0)} ms`, goal: '<= 1', met: a / b <= 1 }];
  });
}

/** pm2, pinned like the agent CLIs, installed into the same cache folder (never globally), for a side-by-side. */
const PM2 = { pkg: 'pm2', version: '7.0.4', bin: 'pm2' } as const;

/**
 * The same work done by pm2 in a private PM2_HOME: `pm2 resurrect` of 20 and 100 `sleep`s (its daemon
 * start included, as after a reboot) and one `pm2 start` with the daemon warm. Skipped, with the
 * reason, when pm2 cannot be installed (no registry).
 */
function pm2Figures(root: string, env: NodeJS.ProcessEnv): Figure[] {
  const installed = installAgent(PM2);
  if (installed.kind === 'skip') {
    console.log(`    (6d skipped: ${installed.reason})`);
    return [{ name: '6d. pm2, side by side', value: null, unit: 'ms', baseline: installed.reason, goal: '-', met: null }];
  }
  const pm2 = join(installed.binDir, 'pm2');
  const figures: Figure[] = [];
  for (const count of [COUNT, MANY]) {
    const pm2Env = { ...env, PM2_HOME: join(root, `pm2-${count}`) };
    try {
      for (let i = 0; i < count; i++) run([pm2, 'start', 'sleep', '--name', `agent-${i}`, '--', '600'], pm2Env);
      run([pm2, 'save'], pm2Env);
      run([pm2, 'kill'], pm2Env);
      const ms = run([pm2, 'resurrect'], pm2Env);
      figures.push({ name: `6d. pm2 ${PM2.version} resurrect, ${count} processes`, value: ms, unit: 'ms', baseline: 'same machine, daemon start included', goal: 'compare with 6a', met: null });
      if (count === COUNT) {
        const one = median([0, 1, 2, 3, 4].map((i) => run([pm2, 'start', 'sleep', '--name', `one-${i}`, '--', '600'], pm2Env)));
        figures.push({ name: `6d. pm2 ${PM2.version} start, one program (daemon warm)`, value: one, unit: 'ms', baseline: 'median of 5', goal: 'compare with 6c', met: null });
      }
    } finally {
      spawnSync(pm2, ['kill'], { env: pm2Env, stdio: 'ignore' });
    }
  }
  return figures;
}
