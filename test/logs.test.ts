import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cli, cliAsync } from './helpers/cli.js';
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

test('logs -n N of a log whose last line is longer than memory allows prints it whole, in bounded memory', async () => {
  const home = makeHome();
  mkdirSync(join(home.dir, 'logs'), { recursive: true, mode: 0o700 });
  const log = join(home.dir, 'logs', 'bar.log');
  // A `\r` progress bar: one 150 MB line. Reading it whole would take several times its size.
  const fd = openSync(log, 'wx', 0o600);
  writeSync(fd, 'before\n');
  const block = Buffer.alloc(1024 * 1024, '0123456789\r');
  for (let i = 0; i < 150; i++) writeSync(fd, block);
  writeSync(fd, '\nlast\n');
  closeSync(fd);
  // Not read at first: the copy blocks on the full pipe, and its peak memory so far is what it took.
  const child = spawn(process.execPath, [CLI, 'logs', 'bar', '-n', '2'], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanupLater(child.pid);
  child.stdout!.pause();
  const peakKb = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
  await waitFor('the copy to block on the pipe', () => /\((node|.*)\) S /.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8')) && peakKb() > 0);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const peak = peakKb();
  let bytes = 0;
  child.stdout!.on('data', (chunk: Buffer) => (bytes += chunk.length));
  child.stdout!.resume();
  const code = await new Promise<number | null>((resolve) => child.once('close', (status) => resolve(status)));
  assert.equal(code, 0);
  assert.equal(bytes, 150 * 1024 * 1024 + 1 + 'last\n'.length);
  assert.ok(peak < 120 * 1024, `peak resident memory ${peak} kB while copying a 150 MB line`);
  assert.equal(cli(['logs', 'bar', '-n', '1'], home.env).stdout, 'last\n');
  rmSync(log);
});

test('logs -f never splits a UTF-8 character written across two reads', async () => {
  const home = makeHome();
  mkdirSync(join(home.dir, 'logs'), { recursive: true, mode: 0o700 });
  const log = join(home.dir, 'logs', 'utf.log');
  writeFileSync(log, 'start\n', { mode: 0o600 });
  const follow = cliAsync(['logs', 'utf', '-f'], home.env);
  cleanupLater(follow.pid);
  let seen = '';
  follow.stdout!.on('data', (chunk: string) => (seen += chunk));
  try {
    await waitFor('the follower to print the start', () => seen.includes('start'));
    const e = Buffer.from('é\n');
    appendFileSync(log, e.subarray(0, 1));
    await new Promise((resolve) => setTimeout(resolve, 600)); // Past the follower's 200 ms poll: two reads.
    appendFileSync(log, e.subarray(1));
    await waitFor('the character', () => seen.includes('\n', 6));
    follow.kill('SIGINT');
    assert.equal(await follow.exited, 0);
    assert.equal(seen, 'start\né\n');
  } finally {
    follow.kill('SIGKILL');
  }
});

test('a NAME.log.1 that is a folder is not replaced: launch says so in one line and starts nothing', () => {
  const home = makeHome();
  mkdirSync(join(home.dir, 'logs', 'big.log.1'), { recursive: true });
  chmodSync(join(home.dir, 'logs'), 0o700);
  writeFileSync(join(home.dir, 'logs', 'big.log'), Buffer.alloc(10 * 1024 * 1024 + 1, 0x61), { mode: 0o600 });
  const result = cli(['launch', 'big', '--detach', '--', 'echo', 'hi'], home.env);
  assert.deepEqual([result.code, result.stderr], [1, `lifeline: ${join(home.dir, 'logs', 'big.log.1')} is not a file (a folder, link or other); lifeline moves the old log there: remove it, then try again\n`]);
  assert.equal(statSync(join(home.dir, 'logs', 'big.log')).size, 10 * 1024 * 1024 + 1);
  assert.deepEqual(existsSync(home.db) ? rows(home.db) : [], []);
});

test('logs of a name that now runs without its log (not detached) says the log is an earlier life\'s', async () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'api', '--detach', '--', 'echo', 'old life'], home.env).code, 0);
  await waitFor('the detached life to end', () => rows(home.db).length === 0);
  const now = cliAsync(['launch', 'api', '--', 'sleep', '30'], home.env);
  cleanupLater(now.pid);
  await waitFor('the new life to run', () => rows(home.db).some((row) => row['status'] === 'active'));
  const result = cli(['logs', 'api'], home.env);
  assert.deepEqual([result.code, result.stdout, result.stderr], [0, 'old life\n', 'lifeline: warning: api now runs without this log (not detached); this log is from an earlier detached life\n']);
  assert.equal(cli(['stop', 'api'], home.env).code, 0);
  await now.exited;
});
