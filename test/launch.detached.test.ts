import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cli, cliJson } from './helpers/cli.js';
import { bindings, events, rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { have, waitFor } from './helpers/processes.js';

test('--detach returns once the row is active, writes output to the log, and records the exit', async () => {
  const home = makeHome();
  const result = cli(['launch', 'bg', '--detach', '--bind', 'session=s1', '--bind', 'port=8080', '--', 'sh', '-c', 'echo started; sleep 0.5; exit 4'], home.env);
  assert.equal(result.code, 0, result.stderr);
  const [row] = rows(home.db);
  assert.equal(row?.['status'], 'active', 'active with its pid recorded before launch returns');
  assert.equal(typeof row?.['pid'], 'number');
  assert.equal(row?.['detached'], 1);
  assert.match(String(row?.['proc_start']), /^linux:\d+$/);
  assert.deepEqual(bindings(home.db).map((b) => [b['kind'], b['value']]), [['session', 's1'], ['port', '8080']]);

  await waitFor('the exit to be recorded', () => rows(home.db).length === 0);
  const stopped = events(home.db, 'life.stopped');
  assert.deepEqual(stopped.map((e) => [e.data.by, e.data.reason]), [['self', 'exit:code:4']]);
  assert.deepEqual(stopped[0]!.data.snapshot!['bindings'], [{ kind: 'session', value: 's1' }, { kind: 'port', value: '8080' }]);
  assert.deepEqual(bindings(home.db), []);
  const log = `${home.dir}/logs/bg.log`;
  assert.equal(readFileSync(log, 'utf8'), 'started\n');
  assert.equal(statSync(log).mode & 0o777, 0o600);
  assert.equal(statSync(`${home.dir}/logs`).mode & 0o777, 0o700);
});

test('a detached program runs in its own session, as a group leader', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'leader', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const [entry] = cliJson<{ pid: number }[]>(['list'], home.env);
  const stat = readFileSync(`/proc/${entry!.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  assert.equal(Number(fields[2]), entry!.pid, 'pgrp');
  assert.equal(Number(fields[3]), entry!.pid, 'session');
  assert.equal(cli(['stop', 'leader'], home.env).code, 0);
});

test('a detached command that cannot start fails clearly and leaves no row', () => {
  const home = makeHome();
  const result = cli(['launch', 'nope', '--detach', '--', 'no-such-command-lifeline-test'], home.env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: cannot start no-such-command-lifeline-test: command not found\n');
  assert.deepEqual(rows(home.db), []);
});

test('a detached start starts no Node helper to record it: the launcher records the start the waiter reports', { skip: have('strace') ? false : 'needs strace' }, () => {
  const home = makeHome();
  const trace = join(home.dir, 'trace');
  // strace follows the waiter too, until the program ends (a second) and its exit is recorded.
  const result = spawnSync('strace', ['-f', '-qq', '-s', '200', '-e', 'trace=execve', '-o', trace, process.execPath, CLI, 'launch', 'one', '--detach', '--', 'sleep', '1'], { env: home.env, encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stderr);
  const helpers = readFileSync(trace, 'utf8').split('\n').filter((line) => /execve\("[^"]*\/node"/.test(line) && line.includes('waiter.cjs') && !line.includes('= -1'));
  assert.deepEqual(helpers.map((line) => /"(started|finish)"/.exec(line)?.[1]), ['finish'], helpers.join('\n'));
  assert.deepEqual(events(home.db).map((e) => [e.type, e.data.reason ?? null]), [['life.started', null], ['life.stopped', 'exit:code:0']]);
});

test('launch --detach of a program that has already failed when it returns says so and exits 1', async () => {
  const home = makeHome();
  // "At once" is the first moments after the start; a machine under heavy load may take longer to fail
  // a bad option, so the first of up to three tries that fails in time is the one checked.
  let result = { code: 0 as number | null, stdout: '', stderr: '' };
  let name = '';
  for (let i = 0; i < 3 && result.code !== 1; i++) {
    name = `s${i}`;
    result = cli(['launch', name, '--detach', '--', 'sleep', '--no-such-option'], home.env);
  }
  assert.deepEqual([result.code, result.stdout], [1, '']);
  assert.equal(result.stderr, `lifeline: ${name} ended at once (exit:code:1); its output: ${join(home.dir, 'logs', `${name}.log`)} (lifeline logs ${name})\n`);
  assert.deepEqual(events(home.db).filter((e) => e.instance === name).map((e) => [e.type, e.data.reason ?? null]), [['life.started', null], ['life.stopped', 'exit:code:1']]);
  // One that is done with exit 0 did its job.
  assert.equal(cli(['launch', 'ok', '--detach', '--', 'true'], home.env).code, 0);
});
