import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';

const COMMANDS: string[][] = [
  ['list'],
  ['events'],
  ['reconcile'],
  ['reconcile', '--dry-run'],
  ['reconcile', '--force'],
  ['launch', 'x', '--', 'true'],
  ['stop', 'x'],
  ['r', 'x'],
  ['bind', 'x', 'k=v'],
  ['track', 'x', '--pid', String(process.pid)],
];

function assertRefusedUntouched(dbPath: string, env: NodeJS.ProcessEnv, pattern: RegExp): void {
  const before = readFileSync(dbPath);
  for (const args of COMMANDS) {
    const result = cli(['--db', dbPath, ...args], env); // Global options may come first.
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern, args.join(' '));
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(readFileSync(dbPath), before, `${args.join(' ')} left the file byte-identical`);
  }
}

test('a garbage file is refused by every command and left byte-identical', () => {
  const home = makeHome();
  const garbage = join(home.dir, 'garbage.db');
  writeFileSync(garbage, randomBytes(8192));
  assertRefusedUntouched(garbage, home.env, /^lifeline: .*garbage\.db is not a SQLite database; it was left untouched\n$/);
});

test('a text file is refused the same way', () => {
  const home = makeHome();
  const notes = join(home.dir, 'notes.txt');
  writeFileSync(notes, 'these are my notes, not a database\n');
  assertRefusedUntouched(notes, home.env, /is not a SQLite database/);
});

test('a database from a newer lifeline is refused without being touched', () => {
  const home = makeHome();
  const newer = join(home.dir, 'newer.db');
  const db = new Database(newer);
  db.exec('CREATE TABLE future (x)');
  db.pragma('user_version = 99');
  db.close();
  assertRefusedUntouched(newer, home.env, /^lifeline: .*newer\.db has schema version 99, newer than this lifeline knows \(2\); upgrade lifeline\n$/);
});

test('a new state folder is 0700 and the database 0600, even under a permissive umask', () => {
  const home = makeHome();
  const state = join(home.dir, 'fresh', 'state');
  const result = cli(['launch', 'x', '--', 'true'], { ...home.env, LIFELINE_HOME: state }, { });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(statSync(state).mode & 0o777, 0o700);
  assert.equal(statSync(join(state, 'lifeline.db')).mode & 0o777, 0o600);
});
