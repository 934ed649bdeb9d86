import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliAsync } from './helpers/cli.js';
import { rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { cleanupLater, waitFor } from './helpers/processes.js';

const lines = (from: number, to: number): string => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

test('logs prints the last 50 lines by default, -n N the last N; a name with no log says why', async () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'talk', '--detach', '--', 'sh', '-c', 'i=1; while [ $i -le 80 ]; do echo "line $i"; i=$((i+1)); done'], home.env).code, 0);
  await waitFor('the program to end', () => rows(home.db).length === 0);
  assert.equal(cli(['logs', 'talk'], home.env).stdout, lines(31, 80));
  assert.equal(cli(['logs', 'talk', '-n', '3'], home.env).stdout, lines(78, 80));
  assert.equal(cli(['logs', 'talk', '--lines', '200'], home.env).stdout, lines(1, 80));

  assert.equal(cli(['launch', 'fg', '--', 'true'], home.env).code, 0);
  const none = cli(['logs', 'fg'], home.env);
  assert.equal(none.code, 1);
  assert.equal(none.stderr, 'lifeline: fg has no log: only a detached instance writes one (lifeline launch --detach, lifeline r fg --detach)\n');
  const unknown = cli(['logs', 'tlak'], home.env);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'lifeline: no instance named "tlak"; did you mean talk?\n');
  assert.equal(cli(['logs', 'talk', '-n', '0'], home.env).code, 2);
});

test('logs -f follows what the program writes until interrupted', async () => {
  const home = makeHome();
  const launched = cli(['launch', 'ticker', '--detach', '--', 'sh', '-c', 'echo first; i=0; while [ $i -lt 2000 ]; do echo "tick $i"; i=$((i+1)); sleep 0.05; done'], home.env);
  assert.equal(launched.code, 0, launched.stderr);
  const follow = cliAsync(['logs', 'ticker', '-f', '-n', '1'], home.env);
  cleanupLater(follow.pid);
  let seen = '';
  follow.stdout!.on('data', (chunk: Buffer) => (seen += chunk.toString()));
  try {
    // Any five ticks after the start: under load the follower may start late, past any fixed tick.
    await waitFor('followed output', () => (seen.match(/^tick \d+$/gm) ?? []).length >= 5, 30_000);
    follow.kill('SIGINT');
    const code = await follow.exited;
    assert.equal(code, 0);
  } finally {
    follow.kill('SIGKILL'); // A failed wait must not leave the follower holding the test file open.
  }
  const ticks = seen.split('\n').filter((line) => line.startsWith('tick '));
  assert.deepEqual(ticks, ticks.map((_, i) => `tick ${Number(ticks[0]!.slice(5)) + i}`), 'every line once, in order');
  assert.equal(cli(['stop', 'ticker'], home.env).code, 0);
});

test('a log over 10 MiB is rotated to NAME.log.1 when the name is launched or resumed detached', async () => {
  const home = makeHome();
  const log = join(home.dir, 'logs', 'big.log');
  assert.equal(cli(['launch', 'big', '--detach', '--', 'echo', 'first life'], home.env).code, 0);
  await waitFor('the first life to end', () => rows(home.db).length === 0);
  // Exactly 10 MiB stays; one byte more is rotated.
  writeFileSync(log, Buffer.alloc(10 * 1024 * 1024, 0x61));
  assert.equal(cli(['r', 'big'], home.env).code, 0);
  await waitFor('the second life to end', () => rows(home.db).length === 0);
  assert.equal(statSync(log).size, 10 * 1024 * 1024 + 'first life\n'.length, 'not rotated at 10 MiB');
  assert.equal(cli(['r', 'big', '--detach'], home.env).code, 0);
  await waitFor('the third life to end', () => rows(home.db).length === 0);
  assert.equal(statSync(`${log}.1`).size, 10 * 1024 * 1024 + 'first life\n'.length);
  assert.equal(readFileSync(log, 'utf8'), 'first life\n');
  assert.equal(statSync(log).mode & 0o777, 0o600);
});
