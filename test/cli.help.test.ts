import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';

const COMMANDS = ['launch', 'track', 'bind', 'unbind', 'list', 'stop', 'reconcile', 'r', 'resume', 'events', 'init', 'login-item', 'doctor'];

test('--help on every command prints its usage, exits 0 and touches nothing', () => {
  const home = makeHome();
  for (const command of COMMANDS) {
    const result = cli([command, '--help'], home.env);
    assert.equal(result.code, 0, `${command}: ${result.stderr}`);
    assert.match(result.stdout, new RegExp(`USAGE lifeline ${command === 'r' ? 'resume' : command}\\b`), command);
    assert.match(result.stdout, /--db/, `${command} documents --db`);
    assert.doesNotMatch(result.stdout, /[ \t]$/m, `${command}: no trailing blanks`);
  }
  // `--help` after `--` belongs to the program, not to lifeline.
  const passed = cli(['launch', 'h', '--', 'sh', '-c', 'echo "$1"', 'sh', '--help'], home.env);
  assert.deepEqual([passed.code, passed.stdout], [0, '--help\n']);
  assert.equal(cli(['--help'], home.env).code, 0);
});

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const result = cli(['--version'], makeHome().env);
  assert.deepEqual([result.code, result.stdout], [0, `${pkg.version}\n`]);
});
