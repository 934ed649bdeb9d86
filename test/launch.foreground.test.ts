import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, cliAsync } from './helpers/cli.js';
import { events, insertRow, rows, waitActive } from './helpers/db.js';
import { makeHome } from './helpers/home.js';

test('a foreground program passes its exit code through and its end is recorded as exit:code:<n>', () => {
  const home = makeHome();
  const result = cli(['launch', 'alice', '--tag', 'demo', '--', 'sh', '-c', 'echo "$LIFELINE_NAME:$LIFELINE_INSTANCE_ID"; exit 7'], home.env);
  assert.equal(result.code, 7);
  const [name, marker] = result.stdout.trim().split(':');
  assert.equal(name, 'alice', 'LIFELINE_NAME is in the program environment');

  const log = events(home.db);
  assert.deepEqual(log.map((e) => e.type), ['life.started', 'life.stopped']);
  const started = log[0]!.data;
  assert.equal(started.by, 'user');
  assert.equal(started.marker, marker, 'the marker in the environment is the recorded one');
  assert.equal(started.resumed_from, null);
  assert.equal(typeof started.pid, 'number');
  const stopped = log[1]!.data;
  assert.deepEqual([stopped.by, stopped.reason], ['self', 'exit:code:7']);
  assert.equal(stopped.snapshot!['tag'], 'demo');
  assert.equal(stopped.snapshot!['status'], 'active');
  assert.equal(stopped.snapshot!['proc_start'] !== null, true);
  assert.deepEqual(rows(home.db), [], 'a normal exit leaves no ghost');
});

test('a program killed by a signal: exit:signal:<NAME>, and lifeline exits 128 + n', () => {
  const home = makeHome();
  const result = cli(['launch', 'selfkill', '--', 'sh', '-c', 'kill -KILL $$'], home.env);
  assert.equal(result.code, 137);
  assert.equal(events(home.db, 'life.stopped')[0]!.data.reason, 'exit:signal:SIGKILL');
});

test('SIGTERM to lifeline is passed on to the program, and its end is recorded as exit:shutdown: lifeline itself went down with it', async () => {
  const home = makeHome();
  const launcher = cliAsync(['launch', 'fwd', '--', 'sleep', '300'], home.env);
  await waitActive(home.db);
  launcher.kill('SIGTERM');
  const result = await launcher.done;
  assert.equal(result.code, 143);
  assert.equal(events(home.db, 'life.stopped')[0]!.data.reason, 'exit:shutdown');
  assert.deepEqual(rows(home.db), []);
});

test('a command that cannot start fails clearly and leaves no row', () => {
  const home = makeHome();
  const result = cli(['launch', 'nope', '--', 'no-such-command-lifeline-test'], home.env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: cannot start no-such-command-lifeline-test: command not found\n');
  assert.deepEqual(rows(home.db), []);
  assert.deepEqual(events(home.db).map((e) => [e.type, e.data.reason]), [['life.stopped', 'exit:launch-failed']]);
});

test('the default name is the command base name plus a free number', () => {
  const home = makeHome();
  assert.equal(cli(['launch', '--', '/bin/true'], home.env).code, 0);
  assert.equal(cli(['launch', '--', 'true'], home.env).code, 0);
  assert.deepEqual(events(home.db, 'life.started').map((e) => e.instance), ['true-1', 'true-2']);
});

test('-- is required before the command', () => {
  const home = makeHome();
  const result = cli(['launch', 'alice', 'sleep', '1'], home.env);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^lifeline: put -- before the command/);
});

test('the terminal SIGINT is for the program: lifeline ignores it and records how the program ended', async () => {
  const home = makeHome();
  // The program traps SIGINT and exits 5; lifeline, sent SIGINT on its own here, must not die first.
  const launcher = cliAsync(['launch', 'int', '--', 'sh', '-c', 'trap "exit 5" INT; while :; do sleep 0.05; done'], home.env);
  await waitActive(home.db);
  launcher.kill('SIGINT');
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(launcher.exitCode, null, 'lifeline is still waiting for its program');
  const pid = Number(rows(home.db)[0]!['pid']);
  process.kill(pid, 'SIGINT'); // What the terminal does to the whole foreground group.
  const result = await launcher.done;
  assert.equal(result.code, 5);
  assert.equal(events(home.db, 'life.stopped')[0]!.data.reason, 'exit:code:5');
});

test('launch over a ghost of the same name stops the ghost first, as the user, with its verdict', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'seed', '--', 'true'], home.env).code, 0);
  insertRow(home.db, { name: 'alice', pid: 999_999_999, boot_id: 'an-earlier-boot', proc_start: 'linux:1' });
  const result = cli(['launch', 'alice', '--', 'true'], home.env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /alice was a ghost \(exit:reboot\)/);
  const alice = events(home.db).filter((e) => e.instance === 'alice');
  assert.deepEqual(alice.map((e) => [e.type, e.data.by, e.data.reason ?? null]), [
    ['life.stopped', 'user', 'exit:reboot'],
    ['life.started', 'user', null],
    ['life.stopped', 'self', 'exit:code:0'],
  ]);
});
