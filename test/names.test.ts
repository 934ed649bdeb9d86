import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { dump, rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { isAlive } from './helpers/processes.js';

test('invalid names are usage errors (exit 2) for every command that takes one', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'seed', '--', 'true'], home.env).code, 0);
  const before = dump(home.db);
  for (const args of [
    ['launch', '-bad', '--', 'true'],
    ['launch', 'has space', '--', 'true'],
    ['launch', 'x'.repeat(65), '--', 'true'],
    ['stop', '../etc'],
    ['r', 'a/b'],
    ['bind', '.hidden', 'k=v'],
    ['track', 'ü', '--pid', '1'],
  ]) {
    const result = cli(args, home.env);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /^lifeline: (invalid name|unknown option)/, args.join(' '));
    assert.equal(result.stderr.split('\n').length, 2, 'one line');
  }
  assert.equal(dump(home.db), before);
});

test('a name held by a verified live instance is refused; the program keeps running', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'alice', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const pid = Number(rows(home.db)[0]!['pid']);
  const result = cli(['launch', 'alice', '--', 'true'], home.env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, `lifeline: alice is running (pid ${pid}); stop it first or pick another name\n`);
  assert.equal(isAlive(pid), true);
  assert.equal(cli(['stop', 'alice'], home.env).code, 0);
});

test('an unknown name is one line with suggestions; unknown commands and options are usage errors', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'alice', '--', 'true'], home.env).code, 0);
  assert.equal(cli(['bind', 'alcie', 'session=1'], home.env).stderr, 'lifeline: no instance named "alcie"; did you mean alice?\n');
  const unknownCommand = cli(['lsit'], home.env);
  assert.deepEqual([unknownCommand.code, unknownCommand.stderr], [2, 'lifeline: unknown command "lsit"; did you mean list?\n']);
  const unknownOption = cli(['list', '--everything'], home.env);
  assert.deepEqual([unknownOption.code, unknownOption.stderr], [2, 'lifeline: unknown option --everything for lifeline list (see lifeline list --help)\n']);
});

test('on a fresh machine, commands about unknown instances fail and create no state at all', () => {
  const home = makeHome();
  const state = join(home.dir, 'state');
  const env = { ...home.env, LIFELINE_HOME: state };
  for (const [args, message] of [
    [['stop', 'alice'], 'lifeline: no instance named "alice"\n'],
    [['bind', 'alice', 'session=1'], 'lifeline: no instance named "alice"\n'],
    [['unbind', 'alice', 'session'], 'lifeline: no instance named "alice"\n'],
    [['r', 'alice'], 'lifeline: no stopped instance named "alice"\n'],
    [['r', 'alice', '--dry-run'], 'lifeline: no stopped instance named "alice"\n'],
    [['events', 'alice'], 'lifeline: no instance named "alice"\n'],
  ] as const) {
    const result = cli(args, env);
    assert.deepEqual([result.code, result.stderr], [1, message], args.join(' '));
  }
  assert.equal(cli(['stop', '--all'], env).code, 0);
  assert.equal(existsSync(state), false, 'no state folder appeared');
});
