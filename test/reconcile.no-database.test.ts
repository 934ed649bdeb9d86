import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cli } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';
import { bootId, have } from './helpers/processes.js';

test('reconcile --quiet --json with no database: the guarded entry answers, writes the stamp, creates no database', () => {
  const home = makeHome();
  const result = cli(['reconcile', '--quiet', '--json'], home.env);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { boot_id: bootId(), already_reconciled: false, dry_run: false, results: [] });
  assert.equal(readFileSync(join(home.dir, 'boot.stamp'), 'utf8'), `${bootId()}\n`);
  assert.equal(existsSync(home.db), false);
});

test('a shell start on a machine with no database does not load the full CLI', { skip: have('strace') ? false : 'needs strace' }, () => {
  const home = makeHome();
  const trace = join(home.dir, 'trace');
  const result = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat', '-o', trace, process.execPath, CLI, 'reconcile', '--quiet'], { env: home.env, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.doesNotMatch(readFileSync(trace, 'utf8'), /main\.cjs/);
  assert.equal(existsSync(home.db), false);
});
