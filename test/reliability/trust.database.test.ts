import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { makeHome, type TestHome } from '../helpers/home.js';
import { bootId } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

/** lifeline's `PRAGMA application_id`: the bytes "LFLN" (src/store/schema.ts). */
const LIFELINE_APPLICATION_ID = 0x4c464c4e;

const WRITERS = [
  ['reconcile'],
  ['reconcile', '--force'],
  ['launch', 'x', '--', 'true'],
  ['track', 'x', '--pid', String(process.pid)],
  ['stop', 'seed'],
  ['bind', 'seed', 'k=v'],
  ['r', 'seed'],
];
const READERS = [['list'], ['events'], ['reconcile', '--dry-run'], ['r', 'seed', '--dry-run']];

function pragma(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

function assertRefused(home: TestHome, path: string, commands: string[][], pattern: RegExp): void {
  const before = readFileSync(path);
  for (const args of commands) {
    const result = cli(['--db', path, ...args], home.env);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern, args.join(' '));
    assert.equal(result.stderr.split('\n').length, 2, `one line: ${result.stderr}`);
    assert.deepEqual(readFileSync(path), before, `${args.join(' ')} left the file byte-identical`);
    assert.equal(existsSync(`${path}-wal`) || existsSync(`${path}-shm`) || existsSync(`${path}-journal`), false, `${args.join(' ')} left no -wal/-shm/-journal`);
  }
}

/** A registry with its events index spread over many pages, closed cleanly (no -wal). */
function registryWithDamagedIndex(home: TestHome): string {
  createDatabase(home);
  const db = new Database(home.db);
  const insert = db.prepare("INSERT INTO events (ts, instance, type, data) VALUES (?, ?, 'life.forgotten', '{}')");
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run(Date.now(), `instance-with-a-long-name-${i}`);
  })();
  const page = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'events_by_instance'").pluck().get() as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = openSync(home.db, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (page - 1) * pageSize);
  closeSync(fd);
  return home.db;
}

test('a database with damaged pages: every writing command refuses it in one line and leaves it byte-identical', () => {
  const home = makeHome();
  const path = registryWithDamagedIndex(home);
  assertRefused(home, path, WRITERS, /^lifeline: .*lifeline\.db is damaged \(quick_check: [^\n]+\); it was left untouched\n$/);
});

test('the guarded reconcile (already done this boot) does not run quick_check: it reads one kv row, as cheap as before', () => {
  const home = makeHome();
  createDatabase(home);
  assert.equal(cli(['reconcile', '--quiet'], home.env).code, 0);
  const path = registryWithDamagedIndex(home);
  const guarded = cli(['reconcile', '--quiet'], home.env);
  assert.deepEqual([guarded.code, guarded.stdout, guarded.stderr], [0, '', ''], 'the guarded path never looked past the kv row');
  const forced = cli(['reconcile', '--force'], home.env);
  assert.equal(forced.code, 1);
  assert.match(forced.stderr, /is damaged \(quick_check/);
  assert.equal(readFileSync(path).length > 0, true);
});

test('a new database carries lifeline application_id; a registry made before (id 0, lifeline tables) is adopted and gets the id at its next write only', () => {
  const home = makeHome();
  createDatabase(home);
  assert.equal(pragma(home.db, 'application_id'), LIFELINE_APPLICATION_ID);

  const legacy = makeHome();
  createDatabase(legacy);
  const db = new Database(legacy.db);
  db.pragma('application_id = 0');
  db.close();
  const before = readFileSync(legacy.db);
  for (const args of READERS) assert.equal(cli(args, legacy.env).code, 0, args.join(' '));
  assert.deepEqual(readFileSync(legacy.db), before, 'readers adopt it without writing');
  assert.equal(cli(['launch', 'next', '--', 'true'], legacy.env).code, 0);
  assert.equal(pragma(legacy.db, 'application_id'), LIFELINE_APPLICATION_ID);
});

test("another program's SQLite file is refused and never altered: its own application_id, or id 0 without lifeline's tables (user_version 0 or 1)", () => {
  const home = makeHome();
  const cases: [string, (db: Database.Database) => void][] = [
    ['other-app.db', (db) => {
      db.exec('CREATE TABLE instances (name TEXT)');
      db.pragma('application_id = 1234');
      db.pragma('user_version = 1');
    }],
    ['other-v0.db', (db) => db.exec('CREATE TABLE contacts (name TEXT, phone TEXT)')],
    ['other-v1.db', (db) => {
      db.exec('CREATE TABLE contacts (name TEXT, phone TEXT)');
      db.pragma('user_version = 1');
    }],
    ['other-wal.db', (db) => {
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE contacts (name TEXT)');
      db.pragma('application_id = 42');
    }],
  ];
  for (const [file, make] of cases) {
    const path = join(home.dir, file);
    const db = new Database(path);
    make(db);
    db.close();
    assertRefused(home, path, [...WRITERS, ...READERS], /^lifeline: .* is a SQLite database of another program \((application_id \d+|it has no lifeline tables)\), not lifeline's; it was left untouched\n$/);
  }
});

test('a newer-schema database, even in WAL mode, is refused without a -wal or -shm file appearing beside it', () => {
  const home = makeHome();
  const path = join(home.dir, 'newer.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE future (x)');
  db.pragma('user_version = 7');
  db.pragma(`application_id = ${LIFELINE_APPLICATION_ID}`);
  db.close();
  assert.equal(existsSync(`${path}-wal`), false);
  assertRefused(home, path, [...WRITERS, ...READERS], /^lifeline: .*newer\.db has schema version 7, newer than this lifeline knows \(\d+\); upgrade lifeline\n$/);
  assert.equal(bootId().length > 0, true);
});
