import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { events, insertRow, kv, rows } from './helpers/db.js';
import { fixtureBootId, procFixture } from './helpers/fixtures.js';
import { makeHome } from './helpers/home.js';
import { bootId, isAlive, startSleeper, startToken } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';

interface Report {
  boot_id: string;
  already_reconciled: boolean;
  results: { name: string; verdict: string; reason: string | null; action: string }[];
}

test('a second reconcile in the same boot does nothing; --force runs again', () => {
  const home = makeHome();
  createDatabase(home);
  const first = cliJson<Report>(['reconcile'], home.env);
  assert.equal(first.already_reconciled, false);
  assert.equal(readFileSync(`${home.dir}/boot.stamp`, 'utf8'), `${bootId()}\n`);

  // A row planted after the pass: the guarded path must not even look at it.
  insertRow(home.db, { name: 'late', pid: 999_999_999, boot_id: bootId(), proc_start: 'linux:1' });
  const second = cliJson<Report>(['reconcile'], home.env);
  assert.equal(second.already_reconciled, true);
  assert.deepEqual(second.results, []);
  assert.deepEqual(rows(home.db).map((row) => row['name']), ['late']);
  const human = cli(['reconcile'], home.env);
  assert.match(human.stdout, /already reconciled/);

  const forced = cliJson<Report>(['reconcile', '--force'], home.env);
  assert.equal(forced.already_reconciled, true, 'reported truthfully');
  assert.deepEqual(forced.results.map((r) => [r.name, r.reason, r.action]), [['late', 'exit:gone', 'stopped']]);
  assert.deepEqual(rows(home.db), []);
});

test('the guarded path rewrites a missing or stale stamp', () => {
  const home = makeHome();
  createDatabase(home);
  cli(['reconcile'], home.env);
  const stamp = `${home.dir}/boot.stamp`;
  rmSync(stamp);
  assert.equal(cliJson<Report>(['reconcile'], home.env).already_reconciled, true);
  assert.equal(readFileSync(stamp, 'utf8'), `${bootId()}\n`);
});

test('after a reboot every local row is exit:reboot and nothing is signalled', () => {
  const home = makeHome();
  createDatabase(home);
  // Real processes of "the old boot": after the fixture's reboot their pids mean nothing.
  const a = startSleeper();
  const b = startSleeper();
  insertRow(home.db, { name: 'alice', pid: a.pid, boot_id: bootId(), proc_start: startToken(a.pid), marker: null });
  insertRow(home.db, { name: 'bob', pid: b.pid, boot_id: bootId(), proc_start: startToken(b.pid), marker: null });
  insertRow(home.db, { name: 'remote', pid: a.pid, boot_id: bootId(), origin_device_id: 'another-laptop' });
  cli(['reconcile'], home.env); // Reconciled in this boot...

  const nextBoot = { ...home.env, LIFELINE_PROC_ROOT: procFixture('next-boot') };
  const report = cliJson<Report>(['reconcile'], nextBoot); // ...and the guard does not hold in the next.
  assert.equal(report.boot_id, fixtureBootId('next-boot'));
  assert.equal(report.already_reconciled, false);
  const byName = Object.fromEntries(report.results.map((r) => [r.name, [r.verdict, r.reason, r.action]]));
  assert.deepEqual(byName, {
    alice: ['dead', 'exit:reboot', 'stopped'],
    bob: ['dead', 'exit:reboot', 'stopped'],
    remote: ['skipped', null, 'skipped'],
  });
  assert.equal(isAlive(a.pid) && isAlive(b.pid), true, 'a dead verdict never signals');
  assert.deepEqual(
    events(home.db, 'life.stopped').filter((e) => e.instance !== 'seed').map((e) => [e.instance, e.data.by, e.data.reason]),
    [['alice', 'system', 'exit:reboot'], ['bob', 'system', 'exit:reboot']],
  );
  assert.equal(kv(home.db, 'reconcile.boot'), fixtureBootId('next-boot'));
  assert.deepEqual(rows(home.db).map((row) => row['name']), ['remote']);
});

test('reconcile --force with nothing to check still runs, and says so with its counts', () => {
  const home = makeHome();
  createDatabase(home);
  assert.equal(cli(['reconcile'], home.env).code, 0);
  assert.equal(cli(['reconcile'], home.env).stdout, `boot ${bootId()} is already reconciled; nothing to do (--force runs it again)\n`);
  assert.equal(cli(['reconcile', '--force'], home.env).stdout, `reconciled boot ${bootId()}: 0 stopped, 0 kept, 0 skipped\n`);
});
