import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, cliAsync, cliJson } from './helpers/cli.js';
import { events, insertRow, rows, waitActive } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { bootId, isAlive, startSleeper, startToken, waitFor } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';
import { readFileSync } from 'node:fs';

interface StopReport {
  name: string;
  action: string;
  reason: string | null;
  signal: string | null;
}

test('stop never signals a process that is not verified as the instance own', () => {
  const home = makeHome();
  createDatabase(home);
  const stranger = startSleeper(); // On the recorded pid, but with another start time.
  const unmarked = startSleeper(); // The right start time, but without the marker.
  insertRow(home.db, { name: 'reused', pid: stranger.pid, boot_id: bootId(), proc_start: 'linux:1' });
  insertRow(home.db, { name: 'unmarked', pid: unmarked.pid, boot_id: bootId(), proc_start: startToken(unmarked.pid), marker: 'not-in-its-environ' });

  const reports = cliJson<StopReport[]>(['stop', 'reused', 'unmarked', '--timeout', '1'], home.env);
  assert.deepEqual(
    reports.map((r) => [r.name, r.action, r.reason, r.signal]),
    [
      ['reused', 'stopped', 'exit:pid-reused', null],
      ['unmarked', 'stopped', 'exit:marker-mismatch', null],
    ],
  );
  assert.equal(isAlive(stranger.pid), true);
  assert.equal(isAlive(unmarked.pid), true);
  const stopped = events(home.db, 'life.stopped').filter((e) => e.instance !== 'seed');
  assert.deepEqual(stopped.map((e) => [e.instance, e.data.by, e.data.reason]), [
    ['reused', 'user', 'exit:pid-reused'],
    ['unmarked', 'user', 'exit:marker-mismatch'],
  ]);
});

test('a verified detached instance is stopped with its whole process group', async () => {
  const home = makeHome();
  const launched = cli(['launch', 'group', '--detach', '--', 'sh', '-c', 'sleep 300 & echo $! > child.pid; wait'], { ...home.env }, { cwd: home.dir });
  assert.equal(launched.code, 0, launched.stderr);
  const [entry] = cliJson<{ pid: number }[]>(['list'], home.env);
  const leader = entry!.pid;
  await waitFor('the grandchild pid file', () => {
    try {
      return readFileSync(`${home.dir}/child.pid`, 'utf8').trim() !== '';
    } catch {
      return false;
    }
  });
  const grandchild = Number(readFileSync(`${home.dir}/child.pid`, 'utf8'));
  assert.ok(isAlive(grandchild));

  const [report] = cliJson<StopReport[]>(['stop', 'group', '--timeout', '5'], home.env);
  assert.deepEqual([report!.action, report!.reason, report!.signal], ['stopped', 'stopped', 'terminated']);
  await waitFor('the group to be gone', () => !isAlive(leader) && !isAlive(grandchild));
  // The supervisor saw the exit after the user's stop was committed: one life.stopped, the user's.
  await waitFor('the supervisor to finish', () => rows(home.db).length === 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const stopped = events(home.db, 'life.stopped');
  assert.deepEqual(stopped.map((e) => [e.instance, e.data.by, e.data.reason]), [['group', 'user', 'stopped']]);
});

test('stop of a foreground instance: the user reason wins over the exit the launcher sees', async () => {
  const home = makeHome();
  const launcher = cliAsync(['launch', 'fg', '--', 'sleep', '300'], home.env);
  await waitActive(home.db);
  const stop = cli(['stop', 'fg'], home.env);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /^fg: stopped; pid \d+ ended on SIGTERM$/m);
  const result = await launcher.done;
  assert.equal(result.code, 143, 'a program killed by SIGTERM makes lifeline exit 128 + 15');
  const stopped = events(home.db, 'life.stopped');
  assert.deepEqual(stopped.map((e) => [e.data.by, e.data.reason]), [['user', 'stopped']]);
});

test('stop of an unknown name fails, suggests close names, and changes nothing', () => {
  const home = makeHome();
  createDatabase(home);
  const sleeper = startSleeper();
  insertRow(home.db, { name: 'alice', pid: sleeper.pid, boot_id: bootId(), proc_start: startToken(sleeper.pid), marker: null });
  const result = cli(['stop', 'alcie'], home.env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: no instance named "alcie"; did you mean alice?\n');
  assert.equal(rows(home.db).length, 1);
  assert.equal(isAlive(sleeper.pid), true);
});

test('stop --all ends every local instance and leaves other devices alone', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'one', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  assert.equal(cli(['launch', 'two', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const pids = rows(home.db).map((row) => Number(row['pid']));
  insertRow(home.db, { name: 'laptop', pid: pids[0]!, boot_id: 'elsewhere', origin_device_id: 'other-device' });
  const reports = cliJson<StopReport[]>(['stop', '--all', '--timeout', '5'], home.env);
  assert.deepEqual(reports.map((r) => [r.name, r.reason, r.signal]).sort(), [['one', 'stopped', 'terminated'], ['two', 'stopped', 'terminated']]);
  assert.equal(pids.some(isAlive), false);
  assert.deepEqual(rows(home.db).map((row) => row['name']), ['laptop']);
});
