import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync } from 'node:fs';
import { test } from 'node:test';
import { dropSkip, NOBODY } from '../helpers/as-nobody.js';
import { cli } from '../helpers/cli.js';
import { insertRow } from '../helpers/db.js';
import { makeHome, type TestHome } from '../helpers/home.js';
import { bootId, cleanupLater, isAlive, runTag, startSleeper, startToken } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

const isRoot = process.getuid?.() === 0;
const asNobodySkip = dropSkip();

type Innocent = { pid: number; row: Parameters<typeof insertRow>[1] };

/** The three ways a recorded pid can hold someone else's process. */
function innocents(name: string): Innocent[] {
  const boot = bootId();
  const reused = startSleeper(); // Another start time than the one recorded.
  const unmarked = startSleeper(); // The recorded start time, but not the recorded marker.
  const list: Innocent[] = [
    { pid: reused.pid, row: { name: `${name}-reused`, pid: reused.pid, boot_id: boot, proc_start: 'linux:1', argv: ['true'], cwd: '/tmp' } },
    { pid: unmarked.pid, row: { name: `${name}-unmarked`, pid: unmarked.pid, boot_id: boot, proc_start: startToken(unmarked.pid), marker: 'x', argv: ['true'], cwd: '/tmp' } },
  ];
  if (isRoot) {
    // Another user's process, with the exact start time recorded and the marker in its environment:
    // only the owner differs. lifeline (as root) reads it, sees the marker... so the row names a
    // different marker; run as nobody below, lifeline cannot read it at all.
    const foreign = spawn('sleep', ['300'], { uid: NOBODY, gid: NOBODY, stdio: 'ignore', env: { ...runTag(), LIFELINE_INSTANCE_ID: 'theirs' } });
    cleanupLater(foreign.pid);
    list.push({ pid: foreign.pid!, row: { name: `${name}-foreign`, pid: foreign.pid!, boot_id: boot, proc_start: startToken(foreign.pid!), marker: 'ours', argv: ['true'], cwd: '/tmp' } });
  }
  return list;
}

function plant(home: TestHome, list: Innocent[]): void {
  for (const { row } of list) insertRow(home.db, row);
}

test('stop, reconcile, launch and r over a ghost never signal a process that is not the instance own', async () => {
  const commands: [string, (name: string) => string[]][] = [
    ['stop', (name) => ['stop', name, '--timeout', '1']],
    ['reconcile', () => ['reconcile', '--force']],
    ['launch', (name) => ['launch', name, '--', 'true']],
    ['r', (name) => ['r', name]],
  ];
  for (const [label, argsFor] of commands) {
    const home = makeHome();
    createDatabase(home);
    const list = innocents(label);
    plant(home, list);
    for (const { row } of list) {
      const result = cli(argsFor(row.name), home.env);
      assert.equal(result.code, 0, `${label} ${row.name}: ${result.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const { pid, row } of list) assert.equal(isAlive(pid), true, `${label} left ${row.name}'s process (pid ${pid}) alive`);
  }
});

test('run as another user, lifeline judges a process whose environ it cannot read as pid-reused and leaves it alone', { skip: asNobodySkip }, () => {
  const home = makeHome();
  createDatabase(home);
  const rootOwned = startSleeper(300, { env: { ...process.env, LIFELINE_INSTANCE_ID: 'm-root' } });
  // Identity and marker both right: only permission stands between lifeline-as-nobody and the environ.
  insertRow(home.db, { name: 'roots', pid: rootOwned.pid, boot_id: bootId(), proc_start: startToken(rootOwned.pid), marker: 'm-root' });
  chownSync(home.dir, NOBODY, NOBODY);
  for (const file of ['lifeline.db', 'lifeline.db-wal', 'lifeline.db-shm']) {
    try {
      chownSync(`${home.dir}/${file}`, NOBODY, NOBODY);
    } catch {
      // Not every file exists at every moment.
    }
  }
  chmodSync(home.dir, 0o700);
  const asNobody = { uid: NOBODY, gid: NOBODY };
  const dry = cli(['reconcile', '--dry-run', '--json'], home.env, asNobody);
  assert.equal(dry.code, 0, dry.stderr);
  assert.deepEqual(JSON.parse(dry.stdout).results.map((r: { reason: string }) => r.reason), ['exit:pid-reused']);
  const stop = cli(['stop', 'roots', '--json', '--timeout', '1'], home.env, asNobody);
  assert.equal(stop.code, 0, stop.stderr);
  assert.deepEqual(JSON.parse(stop.stdout).map((r: { reason: string; signal: string | null }) => [r.reason, r.signal]), [['exit:pid-reused', null]]);
  assert.equal(isAlive(rootOwned.pid), true);
});
