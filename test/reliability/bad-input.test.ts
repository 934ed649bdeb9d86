import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cli, cliAsync, type CliResult } from '../helpers/cli.js';
import { dropSkip, NOBODY } from '../helpers/as-nobody.js';
import { makeHome } from '../helpers/home.js';
import { createDatabase } from '../helpers/seed.js';

const asNobodySkip = dropSkip();

/** One line, `lifeline: …`, no stack trace: what every failure of SPEC §7 must look like. */
function assertOneLine(result: CliResult, code: number, pattern: RegExp, label: string): void {
  assert.equal(result.code, code, `${label}: exit ${result.code}, ${result.stderr}`);
  assert.match(result.stderr, /^lifeline: [^\n]+\n$/, `${label}: one line`);
  assert.match(result.stderr, pattern, label);
  assert.doesNotMatch(result.stderr, /\bat .*\.js:\d+/, `${label}: no stack trace`);
}

/** A state folder and database of nobody's own, the folder read-only (and the database too, with `fileToo`). */
function nobodysReadOnlyFolder(options: { fileToo: boolean }): ReturnType<typeof makeHome> {
  const home = makeHome();
  createDatabase(home);
  new Database(home.db).close(); // Checkpoints the WAL into the file and removes it.
  chownSync(home.dir, NOBODY, NOBODY);
  chownSync(home.db, NOBODY, NOBODY);
  chmodSync(home.dir, 0o555);
  if (options.fileToo) chmodSync(home.db, 0o444);
  return home;
}

const WRITERS: string[][] = [['launch', 'x', '--', 'true'], ['reconcile', '--force'], ['stop', 'seed'], ['bind', 'seed', 'k=v'], ['track', 'x', '--pid', String(process.pid)]];
const READERS: string[][] = [['list', '--all'], ['events'], ['reconcile', '--dry-run']];

test('a damaged database (right header, garbage pages) is refused by every command and left byte-identical', () => {
  const home = makeHome();
  createDatabase(home);
  new Database(home.db).close(); // Checkpoints the WAL into the file and removes it.
  const fd = openSync(home.db, 'r+');
  writeSync(fd, randomBytes(statSync(home.db).size - 100), 0, undefined, 100); // Keep the 100-byte header.
  closeSync(fd);
  const before = readFileSync(home.db);
  for (const args of [...WRITERS, ...READERS]) {
    assertOneLine(cli(args, home.env), 1, /lifeline\.db is (damaged|not a SQLite database)/, args.join(' '));
    assert.deepEqual(readFileSync(home.db), before, `${args.join(' ')} left the file as it was`);
  }
});

test('a read-only database: read commands work, writers fail in one line, nothing changes', { skip: asNobodySkip }, () => {
  // Nobody's own folder and file, both read-only: another user's would be refused outright (SPEC §11).
  const home = nobodysReadOnlyFolder({ fileToo: true });
  const before = readFileSync(home.db);
  const asNobody = { uid: NOBODY, gid: NOBODY };
  for (const args of READERS) assert.equal(cli(args, home.env, asNobody).code, 0, args.join(' '));
  for (const args of WRITERS) assertOneLine(cli(args, home.env, asNobody), 1, /is read-only; this command needs to write to it/, args.join(' '));
  assert.deepEqual(readFileSync(home.db), before);
  assert.equal(existsSync(`${home.db}-wal`), false);
});

test('an unreadable database fails in one line for every command', { skip: asNobodySkip }, () => {
  const home = makeHome();
  createDatabase(home);
  // Nobody's own folder and file, but the file may not be read (another user's would be refused outright).
  chownSync(home.dir, NOBODY, NOBODY);
  chownSync(home.db, NOBODY, NOBODY);
  chmodSync(home.db, 0o000);
  for (const args of [...WRITERS, ...READERS]) {
    assertOneLine(cli(args, home.env, { uid: NOBODY, gid: NOBODY }), 1, /cannot (read|open) .*lifeline\.db/, args.join(' '));
  }
});

test('a database busy beyond the timeout: one line; a quiet reconcile skips silently and leaves the stamp', async () => {
  const home = makeHome();
  createDatabase(home);
  // Another process holds the write lock for longer than lifeline's busy timeout.
  const holder = new Database(home.db);
  holder.exec('BEGIN IMMEDIATE');
  try {
    const [loud, quiet] = await Promise.all([cliAsync(['reconcile'], home.env).done, cliAsync(['reconcile', '--quiet'], home.env).done]);
    assertOneLine(loud!, 1, /lifeline\.db is busy/, 'reconcile');
    assert.deepEqual([quiet!.code, quiet!.stdout, quiet!.stderr], [0, '', '']);
    assert.equal(existsSync(join(home.dir, 'boot.stamp')), false, 'the next shell tries again');
  } finally {
    holder.exec('ROLLBACK');
    holder.close();
  }
});

test('no proc filesystem: a clear "not supported" line from every command that verifies', () => {
  const home = makeHome({ LIFELINE_PROC_ROOT: '/nonexistent/proc' });
  for (const args of [['reconcile'], ['reconcile', '--dry-run'], ['launch', 'x', '--', 'true'], ['list'], ['stop', 'x'], ['r', 'x']]) {
    assertOneLine(cli(args, home.env), 1, /no proc filesystem at \/nonexistent\/proc; lifeline cannot verify processes here/, args.join(' '));
  }
  assert.equal(existsSync(home.db), false, 'nothing created');
});

test('a permissive umask still gives a 0700 folder, 0600 database and 0600 log', () => {
  const home = makeHome();
  const state = join(home.dir, 'state');
  const env = { ...home.env, LIFELINE_HOME: state };
  const run = spawnSync('sh', ['-c', `umask 000; exec "${process.execPath}" "${CLI}" launch u --detach -- true`], { env, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(statSync(state).mode & 0o777, 0o700);
  assert.equal(statSync(join(state, 'lifeline.db')).mode & 0o777, 0o600);
  assert.equal(statSync(join(state, 'logs')).mode & 0o777, 0o700);
  assert.equal(statSync(join(state, 'logs', 'u.log')).mode & 0o777, 0o600);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${join(state, 'lifeline.db')}${suffix}`)) assert.equal(statSync(`${join(state, 'lifeline.db')}${suffix}`).mode & 0o777, 0o600, suffix);
  }
});

test('a current folder deleted under the shell: launch says so in one line and writes nothing', () => {
  const home = makeHome();
  const gone = join(home.dir, 'gone');
  for (const args of [['launch', 'x', '--', 'true'], ['launch', 'y', '--detach', '--', 'sleep', '1']]) {
    const result = spawnSync('sh', ['-c', 'mkdir "$0" && cd "$0" && rmdir "$0" && exec "$@"', gone, process.execPath, CLI, ...args], { env: home.env, encoding: 'utf8' });
    assert.deepEqual([result.status, result.stderr], [1, 'lifeline: the current folder no longer exists (deleted or moved away); cd to a folder that does, then launch again\n']);
  }
  assert.equal(existsSync(home.db), false);
});

test('a writable database in a read-only state folder: writers name the folder, not the database', { skip: asNobodySkip }, () => {
  const home = nobodysReadOnlyFolder({ fileToo: false });
  const before = readFileSync(home.db);
  for (const args of WRITERS) {
    assertOneLine(cli(args, home.env, { uid: NOBODY, gid: NOBODY }), 1, new RegExp(`the folder ${home.dir} is read-only \\(SQLite writes its journal beside lifeline\\.db\\); this command needs to write there`), args.join(' '));
  }
  assert.deepEqual(readFileSync(home.db), before);
});
