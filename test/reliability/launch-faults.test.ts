import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cli, cliAsync } from '../helpers/cli.js';
import { events, rows } from '../helpers/db.js';
import { entryAsync } from '../helpers/entry.js';
import { makeHome, type TestHome } from '../helpers/home.js';
import { cleanupLater, isAlive, waitFor } from '../helpers/processes.js';
import { createContext } from '../../src/lifecycle/context.js';
import { stopInstance } from '../../src/lifecycle/ending/stop.js';
import { platformProbe } from '../../src/proc/index.js';
import { openDatabase } from '../../src/store/open.js';
import { Store } from '../../src/store/store.js';

/** Processes (programs, waiters) that run with this home in their environment. */
function processesOf(home: TestHome): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`LIFELINE_HOME=${home.dir}`) && isAlive(Number(entry))) found.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

/**
 * Takes the database's write lock as soon as the launch has reserved its row, and holds it for
 * `holdMs`. The status is read inside the lock, so a start recorded between a look and the lock
 * cannot slip through. False when the row was already `active`: the start was recorded before the
 * lock could be taken (the Node parent records it a few milliseconds after the reservation).
 */
async function lockAfterReservation(home: TestHome, name: string, holdMs: number, whileHeld: () => void = () => undefined): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    let db: Database.Database | null = null;
    let status: unknown;
    try {
      // Never creates the file: the launch does, with its schema.
      db = new Database(home.db, { fileMustExist: true, timeout: 2_000 });
      db.exec('BEGIN IMMEDIATE');
      status = (db.prepare('SELECT status FROM instances WHERE name = ?').get(name) as { status?: unknown } | undefined)?.status;
    } catch {
      status = undefined; // No database or no schema yet.
    }
    if (db !== null && status === 'launching') {
      whileHeld();
      await new Promise((resolve) => setTimeout(resolve, holdMs));
    }
    if (db?.inTransaction) db.exec('ROLLBACK');
    db?.close();
    if (status !== undefined) return status === 'launching';
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name} to be reserved`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a database busy beyond its timeout when the start is recorded: the program is ended, never left running untracked', { timeout: 120_000 }, async (t) => {
  const scenarios = [
    { how: 'detached (dash waiter)', start: (home: TestHome) => cliAsync(['launch', 'busy', '--detach', '--', 'sleep', '300'], home.env), env: {} },
    { how: 'detached (Node supervisor)', start: (home: TestHome) => cliAsync(['launch', 'busy', '--detach', '--', 'sleep', '300'], home.env), env: { LIFELINE_WAITER: 'node' } },
    { how: 'foreground (sh entry)', start: (home: TestHome) => entryAsync(['launch', 'busy', '--', 'sleep', '300'], home.env), env: {} },
    { how: 'foreground (Node parent)', start: (home: TestHome) => cliAsync(['launch', 'busy', '--', 'sleep', '300'], home.env), env: {} },
  ];
  const ATTEMPTS = 3;
  await Promise.all(
    scenarios.map(async ({ how, start, env }) => {
      for (let attempt = 1; ; attempt++) {
        const home = makeHome(env);
        const launcher = start(home);
        cleanupLater(launcher.pid);
        // Held past the 8 s busy timeout of the start record.
        const locked = await lockAfterReservation(home, 'busy', 10_000);
        if (!locked) {
          // Recorded before the lock: ended through lifeline's own stop, and tried again in a new home.
          const stop = cli(['stop', 'busy'], home.env);
          assert.equal(stop.code, 0, `${how}: ${stop.stderr}`);
        }
        await launcher.exited;
        await waitFor(`${how}: every process to end`, () => processesOf(home).length === 0, 30_000);
        await waitFor(`${how}: the row to go`, () => rows(home.db).length === 0, 20_000);
        const stopped = events(home.db, 'life.stopped');
        assert.equal(stopped.length, 1, `${how}: recorded once`);
        if (locked) {
          assert.match(String(stopped[0]!.data.reason), /^exit:(launch-failed|signal:SIGTERM)$/, how);
          return;
        }
        t.diagnostic(`${how}: the start was recorded before the lock could be taken (attempt ${attempt} of ${ATTEMPTS})`);
        if (attempt < ATTEMPTS) continue;
        // Only the Node parent records the start so soon after the reservation that the lock can miss it every time.
        assert.equal(how, 'foreground (Node parent)', `${how}: the start was recorded before the lock, ${ATTEMPTS} times`);
        return;
      }
    }),
  );
});

test('a launcher killed between starting the waiter and the recorded start: the program is still recorded', { timeout: 60_000 }, async () => {
  const home = makeHome();
  const launcher = cliAsync(['launch', 'orphaned', '--detach', '--', 'sleep', '300'], home.env);
  // The lock keeps the start helper waiting while the launcher dies.
  await lockAfterReservation(home, 'orphaned', 1500, () => {
    setTimeout(() => launcher.kill('SIGKILL'), 700);
  });
  await waitFor('the start to be recorded', () => rows(home.db).some((row) => row['status'] === 'active'), 20_000);
  const pid = Number(rows(home.db)[0]!['pid']);
  cleanupLater(pid);
  assert.equal(isAlive(pid), true);
  assert.deepEqual(events(home.db).map((e) => e.type), ['life.started']);
});

/**
 * The database's write lock, taken while `name` is still `launching`, in a tight loop (a detached
 * start is recorded within milliseconds of the reservation): the Store with its transaction open, or
 * null when the start was recorded first.
 */
async function storeWhileLaunching(home: TestHome, name: string): Promise<Store | null> {
  const deadline = Date.now() + 20_000;
  let store: Store | null = null;
  for (;;) {
    if (store === null) {
      try {
        const db = openDatabase(home.db, 'write-existing');
        store = db === null ? null : new Store(db);
      } catch {
        store = null; // No schema yet.
      }
    }
    let status: unknown;
    if (store !== null) {
      try {
        store.db.exec('BEGIN IMMEDIATE');
        status = store.getInstance(name)?.status;
      } catch {
        status = undefined;
      }
      if (status === 'launching') return store;
      if (store.db.inTransaction) store.db.exec('ROLLBACK');
      if (status !== undefined) {
        store.close();
        return null;
      }
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${name} to be reserved`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('stopped while launching: the whole group lifeline made (detached), or the program and its marked descendants (foreground)', { timeout: 120_000 }, async (t) => {
  const program = ['sh', '-c', 'sleep 300 & sleep 300 & wait'];
  const scenarios = [
    { how: 'detached (dash waiter)', start: (home: TestHome) => cliAsync(['launch', 'sw', '--detach', '--', ...program], home.env), env: {} },
    { how: 'detached (Node supervisor)', start: (home: TestHome) => cliAsync(['launch', 'sw', '--detach', '--', ...program], home.env), env: { LIFELINE_WAITER: 'node' } },
    // A Node parent records the start within a millisecond of the spawn: no window to stop it in from outside.
    { how: 'foreground (sh entry)', start: (home: TestHome) => entryAsync(['launch', 'sw', '--', ...program], home.env), env: {} },
  ];
  const ATTEMPTS = 3;
  await Promise.all(
    scenarios.map(async ({ how, start, env }) => {
      for (let attempt = 1; ; attempt++) {
        const home = makeHome(env);
        const launcher = start(home);
        cleanupLater(launcher.pid);
        const store = await storeWhileLaunching(home, 'sw');
        if (store === null) {
          // Recorded before the lock: ended through lifeline's own stop, and tried again in a new home.
          const stop = cli(['stop', 'sw'], home.env);
          assert.equal(stop.code, 0, `${how}: ${stop.stderr}`);
          await launcher.exited;
          await waitFor(`${how}: every process to end`, () => processesOf(home).length === 0, 30_000);
          t.diagnostic(`${how}: the start was recorded before the lock could be taken (attempt ${attempt} of ${ATTEMPTS})`);
          assert.ok(attempt < ATTEMPTS, `${how}: the start was recorded before the lock, ${ATTEMPTS} times`);
          continue;
        }
        // `lifeline stop`'s own stop path, run while the start record waits for the lock.
        await waitFor(`${how}: the program and its children`, () => processesOf(home).filter((pid) => !/lifeline|node|waiter/.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'))).length >= 3, 20_000).catch(() => undefined);
        const outcome = stopInstance(createContext(store, platformProbe()), { name: 'sw', by: 'user', reason: 'verify' });
        store.db.exec('COMMIT');
        store.close();
        assert.equal(outcome.stopped, true, how);
        await launcher.exited;
        await waitFor(`${how}: every process to end`, () => processesOf(home).length === 0, 30_000);
        assert.deepEqual(events(home.db).map((e) => [e.type, e.data.reason ?? null]), [['life.stopped', 'stopped']], how);
        return;
      }
    }),
  );
});
