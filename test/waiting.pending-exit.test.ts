import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { cli } from './helpers/cli.js';
import { events, rows } from './helpers/db.js';
import { entryAsync } from './helpers/entry.js';
import { makeHome, type TestHome } from './helpers/home.js';
import { cleanupLater, have, waitFor } from './helpers/processes.js';

const cheap = have('dash') && have('setsid') && spawnSync('env', ['--default-signal=INT', 'true']).status === 0;
const skip = cheap ? false : 'needs dash, setsid and GNU env --default-signal (the machine falls back to a Node parent)';

/** Pids of the waiter helpers (dist/waiter.cjs) working for this home: found by its own temp folder in their environment. */
function helpersOf(home: TestHome): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('waiter.cjs')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`LIFELINE_HOME=${home.dir}`)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

function pendingFiles(home: TestHome): string[] {
  try {
    return readdirSync(join(home.dir, 'run')).filter((name) => name.endsWith('.exit'));
  } catch {
    return [];
  }
}

/**
 * A foreground launch of a program that ends with code 7 after `seconds`, with the database's write
 * lock taken as soon as the row is there: no helper can record anything until `release` is called.
 */
async function launchUnderLock(home: TestHome, name: string, seconds: number) {
  const launcher = entryAsync(['launch', name, '--', 'sh', '-c', `sleep ${seconds}; exit 7`], home.env);
  cleanupLater(launcher.pid);
  await waitFor('the reserved row', () => {
    try {
      return rows(home.db).length === 1;
    } catch {
      return false;
    }
  });
  const lock = new Database(home.db, { timeout: 10_000 });
  lock.exec('BEGIN IMMEDIATE');
  const status = (lock.prepare('SELECT status FROM instances').get() as { status: string } | undefined)?.status ?? 'gone';
  const release = (): void => {
    lock.exec('ROLLBACK');
    lock.close();
  };
  return { launcher, status, release };
}

test('the prompt comes back before the exit is recorded, every command sees the true end meanwhile, and r records it', { skip, timeout: 60_000 }, async (t) => {
  const home = makeHome();
  const { launcher, status, release } = await launchUnderLock(home, 'pp', 0.5);
  t.diagnostic(`the lock was taken with the row ${status}`);
  let lockHeld = true;
  try {
    // The entry exits while nothing can be written: it does not wait for its helper's Node start.
    const exited = await Promise.race([launcher.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 6000))]);
    assert.ok(exited, 'the entry exits while the database is locked (the busy timeout is 8 s)');
    assert.equal(launcher.exitCode, 7);
    assert.equal(pendingFiles(home).length, 1, 'the waiter wrote how its program ended');

    // A reader sees the program's own end, not `exit:gone` (nor `launching`).
    const listed = JSON.parse(cli(['list', '--all', '--json'], home.env).stdout) as { name: string; state: string }[];
    assert.deepEqual(
      listed.map((entry) => [entry.name, entry.state]),
      [['pp', 'dead (exit:code:7)']],
    );

    // Its helper never gets to record it (here: the lock outlasts its 8 s busy timeout; or a crash, a
    // shutdown's SIGKILL): the next command does. Nothing is signalled to get there.
    await waitFor('the helper', () => helpersOf(home).length > 0);
    await waitFor('the helper to give up', () => helpersOf(home).length === 0, 20_000);
    release();
    lockHeld = false;
  } finally {
    if (lockHeld) release();
  }

  const resumed = cli(['r', 'pp'], home.env);
  assert.equal(resumed.code, 7, resumed.stderr);
  const log = events(home.db);
  assert.deepEqual(
    log.map((e) => [e.type, e.data.by, e.data.reason ?? null]),
    [
      ['life.started', 'user', null],
      ['life.stopped', 'self', 'exit:code:7'],
      ['life.started', 'user', null],
      ['life.stopped', 'self', 'exit:code:7'],
    ],
    'the first life: started and stopped once each, with its true code; then the resumed one',
  );
  assert.equal(log[2]!.data.resumed_from, log[1]!.id);
  assert.deepEqual(pendingFiles(home), [], 'a recorded report is removed');
  assert.deepEqual(rows(home.db), []);
});

test('a helper and a command that both find the report record the exit once', { skip }, async () => {
  const home = makeHome();
  const { launcher, release } = await launchUnderLock(home, 'twice', 0.3);
  try {
    await launcher.exited;
    await waitFor('the helper', () => helpersOf(home).length > 0);
  } finally {
    release();
  }
  // The helper was waiting for the lock; a writing command races it for the same report.
  const reconciled = cli(['reconcile', '--force', '--json'], home.env);
  assert.equal(reconciled.code, 0, reconciled.stderr);
  await waitFor('the helper is done', () => helpersOf(home).length === 0);
  assert.deepEqual(
    events(home.db).map((e) => [e.type, e.data.reason ?? null]),
    [
      ['life.started', null],
      ['life.stopped', 'exit:code:7'],
    ],
  );
  assert.deepEqual(pendingFiles(home), []);
});
