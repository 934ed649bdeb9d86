/**
 * Bench of bringing a boot back: `r --all --detach --spacing 0` of 20 instances that a reconcile pass
 * stopped, and — only when pm2 is already installed on the machine — `pm2 resurrect` of the same 20
 * programs, side by side. pm2 is never installed by this bench.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

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

function run(argv: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { env, stdio: 'ignore', timeout: 120_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}`);
  return ms;
}

export function benchRestore(node: string, cli: string, root: string, env: NodeJS.ProcessEnv): Figure[] {
  const home = join(root, 'restore');
  mkdirSync(home, { recursive: true });
  const homeEnv = { ...env, LIFELINE_HOME: home };
  run([node, cli, 'launch', 'seed', '--', 'true'], homeEnv);
  const db = new Database(join(home, 'lifeline.db'));
  const row = db.prepare(
    `INSERT INTO instances (name, status, pid, boot_id, proc_start, marker, created_at, argv, cwd, detached) VALUES (?, 'active', ?, 'the-boot-before', 'linux:1', ?, ?, '["sleep","600"]', ?, 1)`,
  );
  db.transaction(() => {
    for (let i = 0; i < COUNT; i++) row.run(`agent-${i}`, 100_000 + i, `m-${i}`, Date.now() - 1000 + i, home);
  })();
  db.close();
  run([node, cli, 'reconcile', '--quiet'], homeEnv);
  let ms: number;
  try {
    ms = run([node, cli, 'r', '--all', '--detach', '--spacing', '0'], homeEnv);
  } finally {
    spawnSync(node, [cli, 'stop', '--all', '--timeout', '2'], { env: homeEnv, stdio: 'ignore' });
  }
  const figures: Figure[] = [
    { name: `6a. r --all --detach, ${COUNT} instances`, value: ms, unit: 'ms', baseline: '--spacing 0, wall time', goal: '<= 3000 ms', met: ms <= 3000 },
  ];

  const pm2 = spawnSync('sh', ['-c', 'command -v pm2'], { encoding: 'utf8' }).stdout.trim();
  if (pm2 === '') {
    console.log('    (6b skipped: pm2 is not installed on this machine; the bench never installs it)');
    figures.push({ name: `6b. pm2 resurrect, ${COUNT} processes`, value: null, unit: 'ms', baseline: 'pm2 not installed', goal: '-', met: null });
    return figures;
  }
  const pm2Env = { ...env, PM2_HOME: join(root, 'pm2') };
  try {
    for (let i = 0; i < COUNT; i++) run([pm2, 'start', 'sleep', '--name', `agent-${i}`, '--', '600'], pm2Env);
    run([pm2, 'save'], pm2Env);
    run([pm2, 'kill'], pm2Env);
    const pm2Ms = run([pm2, 'resurrect'], pm2Env);
    figures.push({ name: `6b. pm2 resurrect, ${COUNT} processes`, value: pm2Ms, unit: 'ms', baseline: 'same machine, for comparison', goal: '-', met: null });
  } finally {
    spawnSync(pm2, ['kill'], { env: pm2Env, stdio: 'ignore' });
  }
  return figures;
}
