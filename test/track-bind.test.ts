import assert from 'node:assert/strict';
import { readFileSync, realpathSync } from 'node:fs';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { bindings, events, rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { cleanupLater, isAlive, startSleeper, startToken, waitFor } from './helpers/processes.js';

test('track registers a running process with its exact identity, argv and folder', () => {
  const home = makeHome();
  const sleeper = startSleeper(300, { cwd: home.dir });
  const tracked = cliJson<{ name: string; pid: number; marker: string | null; argv: string[]; cwd: string }>(
    ['track', 'napper', '--pid', String(sleeper.pid), '--tag', 't1'],
    home.env,
  );
  assert.deepEqual(tracked, { name: 'napper', pid: sleeper.pid, marker: null, argv: ['sleep', '300'], cwd: realpathSync(home.dir) });
  const [row] = rows(home.db);
  assert.equal(row?.['proc_start'], startToken(sleeper.pid));
  assert.equal(row?.['status'], 'active');
  assert.equal(row?.['tag'], 't1');
  assert.deepEqual(events(home.db).map((e) => [e.type, e.data.by]), [['life.started', 'track']]);

  // Nothing watches a tracked process: when it dies, it is a ghost until reconcile or stop.
  sleeper.kill('SIGKILL');
  return new Promise<void>((resolve) => {
    sleeper.once('exit', () => {
      const stop = cli(['stop', 'napper'], home.env);
      assert.equal(stop.stdout, 'napper: was not running (exit:gone); recorded as stopped\n');
      resolve();
    });
  });
});

test('track keeps the marker a lifeline-launched process already carries', () => {
  const home = makeHome();
  const sleeper = startSleeper(300, { env: { ...process.env, LIFELINE_INSTANCE_ID: 'abc' } });
  const tracked = cliJson<{ marker: string | null }>(['track', 'marked', '--pid', String(sleeper.pid)], home.env);
  assert.equal(tracked.marker, 'abc');
  assert.equal(isAlive(sleeper.pid), true);
});

test('track of a pid with no process fails clearly', () => {
  const home = makeHome();
  const result = cli(['track', 'ghost', '--pid', '999999999'], home.env);
  assert.deepEqual([result.code, result.stderr], [1, 'lifeline: no running process has pid 999999999\n']);
});

test('bind adds bindings, unbind removes them by kind or by pair', () => {
  const home = makeHome();
  const sleeper = startSleeper();
  assert.equal(cli(['track', 'b', '--pid', String(sleeper.pid)], home.env).code, 0);
  assert.equal(cli(['bind', 'b', 'session=1', 'port=80', 'port=81'], home.env).code, 0);
  assert.equal(cli(['unbind', 'b', 'port=80'], home.env).stdout, 'b: removed 1 binding\n');
  assert.deepEqual(bindings(home.db).map((x) => `${x['kind']}=${x['value']}`), ['session=1', 'port=81']);
  assert.equal(cli(['unbind', 'b', 'session'], home.env).code, 0);
  assert.deepEqual(bindings(home.db).map((x) => `${x['kind']}=${x['value']}`), ['port=81']);
  const bad = cli(['bind', 'b', 'novalue'], home.env);
  assert.equal(bad.code, 2);
});

test('one process, one name: track refuses a process a live instance holds (its pid and start, or its marker) and writes nothing', async () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'a', '--detach', '--', 'sh', '-c', 'sleep 300 & wait'], home.env).code, 0);
  const a = rows(home.db).find((row) => row['name'] === 'a')!;
  const shell = Number(a['pid']);
  cleanupLater(shell);
  let child = 0;
  await waitFor('the program to start its child', () => {
    child = Number(readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(' ')[0] || 0);
    return child > 0;
  });
  cleanupLater(child);
  const before = { rows: rows(home.db), events: events(home.db) };
  const same = cli(['track', 'b', '--pid', String(shell)], home.env);
  assert.deepEqual([same.code, same.stderr], [1, `lifeline: pid ${shell} is instance a; lifeline tracks one process under one name\n`]);
  const inside = cli(['track', 'c', '--pid', String(child)], home.env);
  assert.deepEqual([inside.code, inside.stderr], [1, `lifeline: pid ${child} runs inside instance a; lifeline tracks one process under one name\n`]);
  assert.deepEqual({ rows: rows(home.db), events: events(home.db) }, before);
  assert.equal(cli(['stop', 'a', '--timeout', '5'], home.env).code, 0);
});
