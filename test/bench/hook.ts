/**
 * How long `lifeline hook <agent>` delays an agent, which waits for it: at its start (SessionStart)
 * and at every turn (UserPromptSubmit, Stop). Runs the hook as the agent would (its marker in the
 * environment, the agent's JSON on stdin, a real registry with that instance, launched as `claude`),
 * alternating with `node -e 0` and the guarded reconcile for scale. `npm run bench` reports it as
 * figure 10; `npm run build && node dist/test/bench/hook.js` prints it alone. Nothing here fails the build.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

export interface HookFigures {
  readonly runs: number;
  readonly sessionMs: number;
  readonly turnMs: number;
  readonly bareMs: number;
  readonly guardedMs: number;
  /** Whether every turn report moved the state (working, idle, working, …): the hook really wrote. */
  readonly turnsRecorded: boolean;
}

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

export async function measureHook(cli: string, runs = 20): Promise<HookFigures> {
  const home = mkdtempSync(join(tmpdir(), 'lifeline-bench-hook-'));
  // `claude` here is a sleep: lifeline launches it as an agent (a pre-assigned, bound session); `-p`, as a
  // detached agent must not be interactive.
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'claude'), '#!/bin/sh\nexec sleep 300\n');
  chmodSync(join(bin, 'claude'), 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, LIFELINE_HOME: home, NO_COLOR: '1', PATH: `${bin}:${process.env['PATH'] ?? ''}` };
  delete env['LIFELINE_DB'];
  delete env['LIFELINE_INSTANCE_ID'];
  try {
    const launcher = spawn(process.execPath, [cli, 'launch', 'agent', '--detach', '--', 'claude', '-p', 'bench'], { env, stdio: 'ignore' });
    await new Promise((resolve) => launcher.once('exit', resolve));
    const db = new Database(join(home, 'lifeline.db'), { readonly: true });
    const marker = db.prepare("SELECT marker FROM instances WHERE name = 'agent'").pluck().get() as string;
    const session = db.prepare("SELECT value FROM bindings WHERE instance = 'agent' AND kind = 'session'").pluck().get() as string;
    db.close();
    const hookEnv = { ...env, LIFELINE_INSTANCE_ID: marker };
    const start = JSON.stringify({ session_id: session, cwd: home, hook_event_name: 'SessionStart', source: 'startup' });
    const turn = (event: string): string => JSON.stringify({ session_id: session, cwd: home, hook_event_name: event, permission_mode: 'default' });
    const hook = [process.execPath, cli, 'hook', 'claude'];

    const session_: number[] = [];
    const turns: number[] = [];
    const bare: number[] = [];
    const guarded: number[] = [];
    let turnsRecorded = true;
    spawnSync(process.execPath, [cli, 'reconcile', '--quiet'], { env, stdio: 'ignore' });
    for (let i = 0; i < runs; i++) {
      session_.push(timed(hook, start, hookEnv));
      turns.push(timed(hook, turn(i % 2 === 0 ? 'UserPromptSubmit' : 'Stop'), hookEnv));
      const check = new Database(join(home, 'lifeline.db'), { readonly: true });
      turnsRecorded &&= check.prepare("SELECT state FROM turns WHERE instance = 'agent'").pluck().get() === (i % 2 === 0 ? 'working' : 'idle');
      check.close();
      bare.push(timed([process.execPath, '-e', '0'], '', env));
      guarded.push(timed([process.execPath, cli, 'reconcile', '--quiet'], '', env));
    }
    spawnSync(process.execPath, [cli, 'stop', 'agent'], { env, stdio: 'ignore' });
    return { runs, sessionMs: median(session_), turnMs: median(turns), bareMs: median(bare), guardedMs: median(guarded), turnsRecorded };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cli = process.env['LIFELINE_BENCH_CLI'] || fileURLToPath(new URL('../../cli.cjs', import.meta.url));
  const f = await measureHook(cli);
  const vs = (ms: number): string => `median ${ms.toFixed(1)} ms, adds ${(ms - f.bareMs).toFixed(1)} ms to node -e 0 (${(ms / f.bareMs).toFixed(2)}x)`;
  console.log(`lifeline hook claude over ${f.runs} runs; node -e 0: ${f.bareMs.toFixed(1)} ms; the guarded reconcile for scale: ${f.guardedMs.toFixed(1)} ms (${(f.guardedMs / f.bareMs).toFixed(2)}x)`);
  console.log(`  SessionStart: ${vs(f.sessionMs)}`);
  console.log(`  a turn event (UserPromptSubmit / Stop): ${vs(f.turnMs)}${f.turnsRecorded ? '' : ' — NOT RECORDED'}`);
}
