/**
 * `lifeline wait NAME... --until idle|waiting|stopped [--timeout S]` (SPEC §14): returns on the
 * transition, at once when already there, 1 on timeout or when the instance ended first, 2 for what
 * cannot be waited for. Real stand-in agents and `sleep`, real hooks, a real registry.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { interactive, makeAgentHome, type AgentHome, type Interactive } from './helpers/agents.js';
import { CLI, cli, cliAsync } from './helpers/cli.js';
import { rows } from './helpers/db.js';
import { have, isAlive, startSleeper, waitFor } from './helpers/processes.js';
import { writeTurnHooks } from './helpers/turn-hooks.js';

async function agentAt(home: AgentHome, name: string, agent: 'claude' | 'gemini' = 'claude'): Promise<Interactive> {
  const job = interactive(['launch', name, '--', agent], home.env, home.project);
  await job.waitFor(new RegExp(`ready ${agent}`));
  return job;
}

async function send(job: Interactive, line: string, done: RegExp): Promise<void> {
  const before = job.output().length;
  job.send(line);
  await waitFor(`${String(done)} after ${line}`, () => done.test(job.output().slice(before)), 15_000);
}

function pidOf(home: AgentHome, name: string): number {
  return Number(rows(home.db).find((row) => row['name'] === name)!['pid']);
}

/** Whether a started `wait` is still waiting after `ms`. */
async function stillWaiting(waiting: ReturnType<typeof cliAsync>, ms: number): Promise<boolean> {
  const exited = await Promise.race([waiting.exited.then(() => true), sleep(ms).then(() => false)]);
  return !exited;
}

test('wait --until idle returns when the turn ends, and at once for an instance already idle; several names wait for each', async () => {
  const home = makeAgentHome();
  writeTurnHooks(home, 'claude');
  writeTurnHooks(home, 'gemini');
  const a = await agentAt(home, 'a');
  const b = await agentAt(home, 'b', 'gemini');

  const started = Date.now();
  const already = cli(['wait', 'a', 'b', '--until', 'idle'], home.env);
  assert.deepEqual([already.code, already.stdout, already.stderr], [0, '', '']);
  assert.ok(Date.now() - started < 3000, 'no wait for a state already reached');

  await send(a, 'work on it', /prompt work on it/);
  await send(b, 'and you too', /prompt and you too/);
  const waiting = cliAsync(['wait', 'a', 'b', '--until', 'idle'], home.env);
  assert.ok(await stillWaiting(waiting, 600), 'both are working');
  await send(a, '/stop', /event Stop/);
  assert.ok(await stillWaiting(waiting, 600), 'b is still working');
  const ended = Date.now();
  await send(b, '/stop', /event AfterAgent/);
  const result = await waiting.done;
  assert.deepEqual([result.code, result.stdout, result.stderr], [0, '', '']);
  assert.ok(Date.now() - ended < 2000, `returned ${Date.now() - ended} ms after the turn ended`);

  // waiting: the permission prompt.
  await send(a, 'next', /prompt next/);
  const asked = cliAsync(['wait', 'a', '--until', 'waiting'], home.env);
  assert.ok(await stillWaiting(asked, 500));
  await send(a, '/permission', /event Notification/);
  assert.equal((await asked.done).code, 0);
  a.send('/exit');
  b.send('/exit');
  await Promise.all([a.exited, b.exited]);
});

test('wait times out with exit 1 and says what each instance is doing', async () => {
  const home = makeAgentHome();
  writeTurnHooks(home, 'claude');
  const a = await agentAt(home, 'a');
  await send(a, 'long', /prompt long/);
  const started = Date.now();
  const result = cli(['wait', 'a', '--until', 'idle', '--timeout', '0.8'], home.env);
  const tookMs = Date.now() - started;
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: timed out after 0.8 s waiting for idle: a is working\n');
  assert.ok(tookMs >= 800 && tookMs < 3000, `took ${tookMs} ms`);
  a.send('/exit');
  await a.exited;
});

test('an instance waited on for a turn that ends first (kill -9, no reconcile; a normal exit) ends the wait with exit 1', async () => {
  const home = makeAgentHome();
  writeTurnHooks(home, 'claude');
  const a = await agentAt(home, 'a');
  await send(a, 'long', /prompt long/);
  const waiting = cliAsync(['wait', 'a', '--until', 'idle'], home.env);
  assert.ok(await stillWaiting(waiting, 500));
  const pid = pidOf(home, 'a');
  a.child.kill('SIGKILL');
  process.kill(pid, 'SIGKILL');
  await waitFor('the agent to die', () => !isAlive(pid));
  const killed = await waiting.done;
  assert.deepEqual([killed.code, killed.stderr], [1, 'lifeline: a is no longer running (dead: exit:gone)\n']);

  const b = await agentAt(home, 'b');
  await send(b, 'long', /prompt long/);
  const again = cliAsync(['wait', 'b', '--until', 'waiting'], home.env);
  assert.ok(await stillWaiting(again, 500));
  b.send('/exit');
  assert.equal(await b.exited, 0);
  const exited = await again.done;
  // Whichever look comes first: the program already gone (its launcher recording the end), or recorded.
  assert.equal(exited.code, 1);
  assert.match(exited.stderr, /^lifeline: b is (not running \(stopped\)|no longer running \(dead: exit:gone\))\n$/);
  const stopped = cli(['wait', 'b', '--until', 'idle'], home.env);
  assert.deepEqual([stopped.code, stopped.stderr], [1, 'lifeline: b is not running (stopped)\n']);
});

test('wait --until stopped: a dead verdict counts without reconcile, a stopped name at once; any program, not only agents', async () => {
  const home = makeAgentHome();
  assert.equal(cli(['launch', 's', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const waiting = cliAsync(['wait', 's', '--until', 'stopped'], home.env);
  assert.ok(await stillWaiting(waiting, 600), 'sleep is running');
  process.kill(pidOf(home, 's'), 'SIGKILL');
  assert.deepEqual([(await waiting.done).code], [0]);
  // Its supervisor recorded the end meanwhile: a stopped name is there at once.
  await waitFor('the end to be recorded', () => rows(home.db).length === 0);
  const started = Date.now();
  assert.equal(cli(['wait', 's', '--until', 'stopped', '--timeout', '5'], home.env).code, 0);
  assert.ok(Date.now() - started < 3000);

  // A tracked process has no launcher to record its end: only the verdict says it is gone.
  const sleeper = startSleeper();
  assert.equal(cli(['track', 't', '--pid', String(sleeper.pid)], home.env).code, 0);
  const ghost = cliAsync(['wait', 't', '--until', 'stopped'], home.env);
  assert.ok(await stillWaiting(ghost, 600), 'the tracked sleep is running');
  sleeper.kill('SIGKILL');
  assert.equal((await ghost.done).code, 0);
  assert.equal(rows(home.db).length, 1, 'the ghost row is still there: wait reads, reconcile ends');
});

test('wait refuses with exit 2 what it cannot wait for: an unknown name, a program that is no agent, a state it does not know', () => {
  const home = makeAgentHome();
  assert.equal(cli(['launch', 's', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const unknown = cli(['wait', 'nobody', '--until', 'stopped'], home.env);
  assert.deepEqual([unknown.code, unknown.stderr], [2, 'lifeline: no instance named "nobody"\n']);
  const plain = cli(['wait', 's', '--until', 'idle'], home.env);
  assert.equal(plain.code, 2);
  assert.match(plain.stderr, /^lifeline: s runs no agent .*--until stopped waits for its end\n$/);
  const state = cli(['wait', 's', '--until', 'busy'], home.env);
  assert.deepEqual([state.code, state.stderr], [2, 'lifeline: --until takes idle, waiting, stopped, got "busy"\n']);
  assert.equal(cli(['wait', 's'], home.env).code, 2);
  assert.equal(cli(['stop', 's'], home.env).code, 0);
  const fresh = cli(['wait', 'x', '--until', 'idle'], makeAgentHome().env);
  assert.deepEqual([fresh.code, fresh.stderr], [2, 'lifeline: no instance named "x"\n']);
});

test('wait looks at most every 200 ms: two seconds of waiting read the process at most 11 times', (t) => {
  if (!have('strace')) return t.skip('strace is not installed');
  const home = makeAgentHome();
  assert.equal(cli(['launch', 's', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const pid = pidOf(home, 's');
  const trace = join(home.dir, 'trace');
  const traced = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,open', '-o', trace, process.execPath, CLI, 'wait', 's', '--until', 'stopped', '--timeout', '2'], { env: home.env, encoding: 'utf8' });
  assert.equal(traced.status, 1, traced.stderr);
  const looks = readFileSync(trace, 'utf8').split('\n').filter((line) => line.includes(`"/proc/${pid}/stat"`)).length;
  assert.ok(looks >= 2 && looks <= 11, `${looks} looks at /proc/${pid}/stat in 2 s`);
  assert.equal(cli(['stop', 's'], home.env).code, 0);
});
