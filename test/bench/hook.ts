/**
 * `npm run build && node dist/test/bench/hook.js`: how long `lifeline hook <agent>` delays an
 * agent's start. Runs the hook 20 times as the agent would (its marker in the environment, the
 * SessionStart JSON on stdin, a real registry with that instance), alternating with `node -e 0`,
 * and with the guarded reconcile for scale, and prints the medians and what the hook adds. Not a test: nothing here fails the build.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const CLI = process.env['LIFELINE_BENCH_CLI'] || fileURLToPath(new URL('../../cli.cjs', import.meta.url));
const RUNS = 20;
const home = mkdtempSync(join(tmpdir(), 'lifeline-bench-hook-'));
const env: NodeJS.ProcessEnv = { ...process.env, LIFELINE_HOME: home, NO_COLOR: '1' };
delete env['LIFELINE_DB'];

function timed(argv: string[], input: string, runEnv: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { env: runEnv, input, stdio: ['pipe', 'pipe', 'ignore'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 || String(result.stdout) !== '') throw new Error(`${argv.join(' ')}: exit ${result.status}, stdout ${JSON.stringify(String(result.stdout))}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const sleeper = spawn(process.execPath, [CLI, 'launch', 'agent', '--detach', '--', 'sleep', '300'], { env, stdio: 'ignore' });
await new Promise((resolve) => sleeper.once('exit', resolve));
const db = new Database(join(home, 'lifeline.db'), { readonly: true });
const marker = db.prepare("SELECT marker FROM instances WHERE name = 'agent'").pluck().get() as string;
db.close();
const hookEnv = { ...env, LIFELINE_INSTANCE_ID: marker };
const input = JSON.stringify({ session_id: '0b7e6a52-9d4f-4c1e-8a7b-3f2d1c0e9a88', cwd: home, hook_event_name: 'SessionStart', source: 'startup' });

const hook: number[] = [];
const bare: number[] = [];
const guarded: number[] = [];
try {
  spawnSync(process.execPath, [CLI, 'reconcile', '--quiet'], { env, stdio: 'ignore' });
  for (let i = 0; i < RUNS; i++) {
    hook.push(timed([process.execPath, CLI, 'hook', 'claude'], input, hookEnv));
    bare.push(timed([process.execPath, '-e', '0'], input, env));
    guarded.push(timed([process.execPath, CLI, 'reconcile', '--quiet'], '', env));
  }
  const [h, b, g] = [median(hook), median(bare), median(guarded)];
  console.log(
    `lifeline hook claude: median ${h.toFixed(1)} ms over ${RUNS} runs; node -e 0: ${b.toFixed(1)} ms; the hook adds ${(h - b).toFixed(1)} ms (${(h / b).toFixed(2)}x)` +
      `; the guarded reconcile for scale: ${g.toFixed(1)} ms (${(g / b).toFixed(2)}x)`,
  );
} finally {
  spawnSync(process.execPath, [CLI, 'stop', 'agent'], { env, stdio: 'ignore' });
  rmSync(home, { recursive: true, force: true });
}
