import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { CLI } from '../helpers/cli.js';
import { makeHome } from '../helpers/home.js';
import { createDatabase } from '../helpers/seed.js';

test('a closed stdout (events | head -1, list | head -1) ends lifeline quietly, without a stack trace', () => {
  const home = makeHome();
  createDatabase(home);
  // More life log than a pipe holds (64 KiB), so lifeline is still writing when head has gone.
  const db = new Database(home.db);
  const insert = db.prepare("INSERT INTO events (ts, instance, type, data) VALUES (?, ?, 'life.started', ?)");
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(Date.now(), `p${i}`, JSON.stringify({ by: 'user', pid: 1000 + i, marker: null, resumed_from: null }));
  })();
  db.close();
  for (const command of ['events --limit 5000', 'events --json --limit 5000']) {
    const result = spawnSync('sh', ['-c', `"$0" "$1" ${command} | head -1 >/dev/null`, process.execPath, CLI], { env: home.env, encoding: 'utf8' });
    assert.equal(result.status, 0);
    assert.equal(result.stderr, '', `${command}: ${result.stderr}`);
  }
});
