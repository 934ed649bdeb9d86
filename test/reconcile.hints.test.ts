import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { insertRow } from './helpers/db.js';
import { makeHome, type TestHome } from './helpers/home.js';
import { createDatabase } from './helpers/seed.js';

function ghosts(home: TestHome, names: string[]): void {
  createDatabase(home);
  names.forEach((name, i) => insertRow(home.db, { name, pid: 4242, boot_id: 'the-boot-before', created_at: Date.now() - 1000 + i }));
}

test('a plain reconcile says how to bring each stopped instance back, and two or more at once with r --all --tmux', () => {
  const home = makeHome();
  ghosts(home, ['alice', 'bob']);
  const result = cli(['reconcile'], home.env);
  assert.equal(result.code, 0);
  assert.match(
    result.stdout,
    /^alice: dead \(exit:reboot\) → stopped; resume it with: lifeline r alice\nbob: dead \(exit:reboot\) → stopped; resume it with: lifeline r bob\nreconciled boot .*: 2 stopped, 0 kept, 0 skipped\nbring them all back with: lifeline r --all --tmux\n$/,
  );
});

test('quiet: one extra line for two or more; one stopped instance gets no r --all hint; --json adds nothing', () => {
  const two = makeHome();
  ghosts(two, ['alice', 'bob']);
  assert.equal(
    cli(['reconcile', '--quiet'], two.env).stdout,
    'lifeline: alice is not running (exit:reboot); resume it with: lifeline r alice\n' +
      'lifeline: bob is not running (exit:reboot); resume it with: lifeline r bob\n' +
      'lifeline: bring them all back with: lifeline r --all --tmux\n',
  );

  const one = makeHome();
  ghosts(one, ['carol']);
  const plain = cli(['reconcile'], one.env).stdout;
  assert.doesNotMatch(plain, /--all/);
  assert.match(plain, /carol: dead \(exit:reboot\) → stopped; resume it with: lifeline r carol\n/);

  const json = makeHome();
  ghosts(json, ['dave', 'erin']);
  const report = cli(['reconcile', '--json'], json.env).stdout;
  assert.deepEqual(Object.keys(JSON.parse(report) as object), ['boot_id', 'already_reconciled', 'dry_run', 'results']);
  assert.doesNotMatch(report, /r --all/);
});
