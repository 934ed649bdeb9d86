import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { events, rows } from './helpers/db.js';
import { ENTRY } from './helpers/entry.js';
import { makeHome, type TestHome } from './helpers/home.js';
import { cleanupLater, have, waitFor } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';

const skip = have('dash') && have('setsid') ? false : 'needs dash and setsid (elsewhere the entry falls back to a Node parent)';

/** The entry run by a shell with some of its descriptors closed or opened, as `lifeline … >&-` in a terminal does. */
function entryWith(redirections: string, args: readonly string[], home: TestHome): { code: number | null; stdout: string; stderr: string } {
  const words = [ENTRY, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const result = spawnSync('sh', ['-c', `${words} ${redirections}`], { env: home.env, encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function runFiles(home: TestHome): string[] {
  const run = join(home.dir, 'run');
  return existsSync(run) ? readdirSync(run) : [];
}

test('a closed stdin, stdout or stderr: the program runs as under the Node parent (on /dev/null), recorded once, nothing left behind', { skip }, () => {
  const home = makeHome();
  const fds = (fd: number): string => `$(readlink /proc/$$/fd/${fd} 2>/dev/null || echo closed)`;
  const program = ['sh', '-c', `echo "0=${fds(0)} 1=${fds(1)} 2=${fds(2)}" >"$OUT"`];
  const seen = (file: string): string => readFileSync(file, 'utf8').replace(/(pipe|socket):\[\d+\]/g, '$1');
  for (const [index, redirection] of ['<&-', '>&-', '2>&-'].entries()) {
    const [viaEntry, viaNode] = [join(home.dir, `entry${index}`), join(home.dir, `node${index}`)];
    const byEntry = entryWith(redirection, ['launch', `e${index}`, '--', ...program], { ...home, env: { ...home.env, OUT: viaEntry } });
    assert.deepEqual([byEntry.code, byEntry.stderr], [0, ''], redirection);
    const cliCjs = join(ENTRY, '../../dist/cli.cjs');
    const env = { ...home.env, OUT: viaNode, NODE: process.execPath, CLI: cliCjs };
    const byNode = spawnSync('sh', ['-c', `"$NODE" "$CLI" launch n${index} -- "$@" ${redirection}`, 'sh', ...program], { env, encoding: 'utf8' });
    assert.equal(byNode.status, 0, byNode.stderr);
    assert.match(seen(viaEntry), /\/dev\/null/, `${redirection}: the closed stream is /dev/null in the program`);
    assert.equal(seen(viaEntry), seen(viaNode), redirection);
  }
  assert.deepEqual(rows(home.db), []);
  assert.deepEqual(events(home.db, 'life.stopped').map((e) => e.data.reason), Array(6).fill('exit:code:0'));
  assert.deepEqual(runFiles(home), []);
});

test('the caller\'s own descriptors (4, 9, and the others) reach the program, and none of lifeline\'s', { skip }, () => {
  const home = makeHome();
  const out = join(home.dir, 'fds');
  const result = entryWith('3</dev/null 4</dev/null 5</dev/null 9</dev/null', ['launch', 'fds', '--', 'sh', '-c', `ls /proc/$$/fd >"${out}"`], home);
  assert.deepEqual([result.code, result.stderr], [0, '']);
  const seen = readFileSync(out, 'utf8').trim().split('\n').map(Number).sort((a, b) => a - b);
  // sh -c opens nothing of its own before ls; the redirection to the file is fd 1.
  assert.deepEqual(seen.filter((fd) => fd <= 9), [0, 1, 2, 3, 4, 5, 9]);
});

test('a TERM to the entry while Node prepares: the reserved life is recorded as never started, no name stays launching, no file stays', { skip }, async () => {
  const home = makeHome();
  createDatabase(home);
  const ran = join(home.dir, 'ran');
  const lock = new Database(home.db, { timeout: 2_000 });
  lock.exec('BEGIN IMMEDIATE');
  const child = spawn(ENTRY, ['launch', 'late', '--', 'sh', '-c', `touch "${ran}"`], { env: home.env, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanupLater(child.pid);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Node is started and waits for the lock to reserve the name.
  await waitFor('Node to start preparing', () => spawnSync('pgrep', ['-P', String(child.pid)]).status === 0);
  child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 200));
  lock.exec('COMMIT');
  lock.close();
  assert.equal(await exited, 143, stderr);
  assert.equal(existsSync(ran), false, 'the program never ran');
  assert.deepEqual(rows(home.db), []);
  assert.deepEqual(events(home.db, 'life.stopped').filter((e) => e.instance === 'late').map((e) => e.data.reason), ['exit:launch-failed']);
  assert.deepEqual(runFiles(home), []);
  assert.equal(cli(['list'], home.env).code, 0);
});
