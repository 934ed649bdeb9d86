import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { cli, cliJson } from '../helpers/cli.js';
import { rows } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { isAlive } from '../helpers/processes.js';

interface Report {
  results: { name: string; verdict: string; reason: string | null }[];
}

test('a wall-clock jump between launch and reconcile never turns a live, verified instance into a ghost', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'steady', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const pid = Number(rows(home.db)[0]!['pid']);
  // The clock was far off when the row was written: years behind, then hours ahead.
  for (const createdAt of [Date.UTC(2001, 0, 1), Date.now() + 6 * 3_600_000]) {
    const db = new Database(home.db);
    db.prepare('UPDATE instances SET created_at = ?').run(createdAt);
    db.close();
    const report = cliJson<Report>(['reconcile', '--force'], home.env);
    assert.deepEqual(report.results.map((r) => [r.name, r.verdict, r.reason]), [['steady', 'alive', null]], `created_at ${new Date(createdAt).toISOString()}`);
  }
  assert.equal(isAlive(pid), true);
  assert.equal(cli(['stop', 'steady'], home.env).code, 0);
});
