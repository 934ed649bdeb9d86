import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';
import { bootId } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';

interface DoctorReport {
  platform: { name: string; supported: boolean };
  boot: { id: string | null; source: string | null };
  database: { schema_version: number | null; integrity: string | null; mode: string | null };
  state_folder: { mode: string | null };
  shell_snippet: Record<string, { present: boolean }>;
  last_reconcile: { boot_id: string | null; this_boot: boolean };
  problems: string[];
}

function doctor(env: NodeJS.ProcessEnv, extra: string[] = []): { code: number | null; report: DoctorReport } {
  const result = cli(['doctor', '--json', ...extra], env);
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport };
}

test('doctor on a healthy database', () => {
  const home = makeHome({ HOME: '' });
  const userHome = join(home.dir, 'user');
  const env = { ...home.env, HOME: userHome };
  createDatabase(home);
  cli(['reconcile'], env);
  const { code, report } = doctor(env);
  assert.equal(code, 0, JSON.stringify(report.problems));
  assert.deepEqual(report.platform, { name: 'linux', supported: true });
  assert.deepEqual(report.boot, { id: bootId(), source: '/proc/sys/kernel/random/boot_id' });
  assert.equal(report.database.schema_version, 2);
  assert.equal(report.database.integrity, 'ok');
  assert.equal(report.database.mode, '0600');
  assert.equal(report.state_folder.mode, '0700');
  assert.deepEqual(report.last_reconcile.this_boot, true);
  assert.equal(report.shell_snippet['bash']?.present, false);
  const human = cli(['doctor'], env);
  assert.match(human.stdout, /integrity ok/);
});

test('doctor names a garbage database as a problem, exits 1, and leaves it as it was', () => {
  const home = makeHome();
  const garbage = join(home.dir, 'garbage.db');
  writeFileSync(garbage, randomBytes(4096));
  const before = readFileSync(garbage);
  const { code, report } = doctor(home.env, ['--db', garbage]);
  assert.equal(code, 1);
  assert.deepEqual(report.problems, [`${garbage} is not a SQLite database; it was left untouched`]);
  assert.deepEqual(readFileSync(garbage), before);
});

test('doctor names a newer schema as a problem', () => {
  const home = makeHome();
  const newer = join(home.dir, 'newer.db');
  const db = new Database(newer);
  db.pragma('user_version = 7');
  db.close();
  const { code, report } = doctor(home.env, ['--db', newer]);
  assert.equal(code, 1);
  assert.match(report.problems[0] ?? '', /has schema version 7, newer than this lifeline knows/);
});
