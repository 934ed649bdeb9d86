/** The resume traps a new user fell into (issue 9): each now says what is wrong, before anything is written. */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { dump, insertBinding, insertRow } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { bootId } from './helpers/processes.js';

test('--resume given twice (quotes forgotten) is a usage error, and nothing is created', () => {
  const home = makeHome();
  const result = cli(['launch', 'alice', '--resume', 'claude', '--resume', '{session}', '--', 'true'], home.env);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, "lifeline: --resume given twice; quote the whole template: --resume 'claude --resume {session}'\n");
  assert.equal(existsSync(home.db), false);
});

test('a forgotten -- before a command with options gives the -- hint, not "unknown option"', () => {
  const home = makeHome();
  const result = cli(['launch', 'x', 'claude', '--model', 'opus'], home.env);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'lifeline: put -- before the command: lifeline launch [NAME] [options] -- CMD [ARGS...]\n');
  const typo = cli(['launch', 'x', '--detatch', '--', 'true'], home.env);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /^lifeline: unknown option --detatch for lifeline launch/, 'with --, a mistyped option of lifeline is still named');
});

test('launch NAME over a stopped NAME whose snapshot has a session is refused with the r hint; --new starts fresh', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'alice', '--bind', 'session=s-1', '--', 'true'], home.env).code, 0);
  const before = dump(home.db);
  const refused = cli(['launch', 'alice', '--', 'true'], home.env);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'lifeline: alice ended (exit:code:0) with session s-1: resume it with lifeline r alice, or pass --new to start a fresh alice (lifeline forget alice drops the old one)\n');
  assert.equal(dump(home.db), before, 'nothing written');
  const fresh = cli(['launch', 'alice', '--new', '--', 'true'], home.env);
  assert.equal(fresh.code, 0, fresh.stderr);
  // That life had no session: the name is free again.
  assert.equal(cli(['launch', 'alice', '--', 'true'], home.env).code, 0);
  // A default name never collides; a name without any session is never refused.
  assert.equal(cli(['launch', 'bob', '--', 'true'], home.env).code, 0);
  assert.equal(cli(['launch', 'bob', '--', 'true'], home.env).code, 0);
});

test('the same over a ghost that still holds the session (not reconciled yet): refused, the ghost left as it was', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'seed', '--', 'true'], home.env).code, 0);
  insertRow(home.db, { name: 'carol', pid: 999_999_999, boot_id: bootId(), proc_start: 'linux:1', cwd: home.dir });
  insertBinding(home.db, 'carol', 'session', 's-carol');
  const before = dump(home.db);
  const refused = cli(['launch', 'carol', '--', 'true'], home.env);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'lifeline: carol ended (exit:gone) with session s-carol: resume it with lifeline r carol, or pass --new to start a fresh carol\n');
  assert.equal(dump(home.db), before);
  assert.equal(cli(['launch', 'carol', '--new', '--', 'true'], home.env).code, 0);
});

test('a forgotten snapshot no longer holds the name', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'dave', '--bind', 'session=s-2', '--', 'true'], home.env).code, 0);
  assert.equal(cli(['launch', 'dave', '--', 'true'], home.env).code, 1);
  const forgot = cli(['forget', 'dave'], home.env);
  assert.equal(forgot.code, 0, forgot.stderr);
  assert.equal(cli(['launch', 'dave', '--', 'true'], home.env).code, 0);
});

test('a template placeholder that is neither built in nor bound gets a one-line warning at launch', () => {
  const home = makeHome();
  const warned = cli(['launch', 'erin', '--resume', 'srv --port {port} --s {session} --n {name} --d {cwd}', '--', 'true'], home.env);
  assert.equal(warned.code, 0, warned.stderr);
  const lines = warned.stderr.trim().split('\n');
  assert.equal(lines.length, 1, warned.stderr);
  assert.match(lines[0]!, /the resume template uses \{port\}, which is not bound yet/);
  const bound = cli(['launch', 'frank', '--bind', 'port=8080', '--resume', 'srv --port {port} {session}', '--', 'true'], home.env);
  assert.equal(bound.code, 0);
  assert.equal(bound.stderr, '');
});

test('bind: session holds one value, other kinds several', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'gina', '--detach', '--bind', 'session=a', '--bind', 'session=b', '--', 'sleep', '30'], home.env).code, 0);
  assert.equal(cli(['bind', 'gina', 'session=c', 'tmux=x:1', 'tmux=x:2'], home.env).code, 0);
  const db = new Database(home.db, { readonly: true });
  const values = db.prepare("SELECT kind || '=' || value FROM bindings WHERE instance = 'gina' ORDER BY rowid").pluck().all();
  db.close();
  assert.deepEqual(values, ['session=c', 'tmux=x:1', 'tmux=x:2']);
  assert.equal(cli(['stop', 'gina'], home.env).code, 0);
});
