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
    assert.match(result.stdout, new RegExp(`USAGE lifeline ${command === 'resume' ? 'r' : command}\\b`), command);
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

test('every command\'s help has a USAGE a person can type as written, and hides what only lifeline passes itself', () => {
  const home = makeHome();
  const expected: Record<string, string> = {
    launch: 'USAGE lifeline launch [NAME] [OPTIONS] -- CMD [ARGS...]',
    stop: 'USAGE lifeline stop NAME... [OPTIONS]\n      lifeline stop --all [OPTIONS]',
    bind: 'USAGE lifeline bind NAME KIND=VALUE... [OPTIONS]',
    agents: 'USAGE lifeline agents install|uninstall|status [AGENT...] [OPTIONS]',
    r: 'USAGE lifeline r NAME [OPTIONS]\n      lifeline r --all --tmux[=SESSION] [OPTIONS]\n      lifeline r --all --detach [OPTIONS]',
    init: 'USAGE lifeline init bash|zsh|fish [OPTIONS]',
    track: 'USAGE lifeline track NAME --pid PID [OPTIONS]',
    wait: 'USAGE lifeline wait NAME... --until idle|waiting|stopped [OPTIONS]',
  };
  for (const command of [...COMMANDS, 'logs', 'forget', 'show', 'agents', 'hook', 'wait']) {
    const help = cli([command, '--help'], home.env).stdout;
    const usage = /^USAGE [^\n]*(\n {6}[^\n]*)*/m.exec(help)?.[0];
    assert.ok(usage !== undefined, `${command} has a USAGE`);
    assert.doesNotMatch(usage, /\[ACTION\]|<NAME>|<SHELL>|<AGENT>|\bOPTIONS\] \[NAME\]$/, `${command}: every word a person must type is named`);
    if (expected[command] !== undefined) assert.equal(usage, expected[command], command);
    assert.doesNotMatch(help, /--reserved|--resumed-from|internal/, `${command}: nothing internal`);
  }
  // The same mistake in the same words.
  assert.equal(cli(['init'], home.env).stderr, cli(['init', 'tcsh'], home.env).stderr);
  assert.equal(cli(['init'], home.env).stderr, 'lifeline: name a shell: lifeline init bash|zsh|fish\n');
  const bare = cli(['r'], home.env);
  assert.deepEqual([bare.code, bare.stderr], [2, 'lifeline: missing NAME: lifeline r NAME brings one back, lifeline r --all --tmux the whole last boot\n']);
});
