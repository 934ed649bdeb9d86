/** The words of lifeline's messages, pinned: what a newcomer reads first. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { insertRow, rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { cleanupLater, isAlive } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';

function expectFailure(args: string[], env: NodeJS.ProcessEnv, code: number, stderr: string): void {
  const result = cli(args, env);
  assert.deepEqual([result.code, result.stderr], [code, stderr], args.join(' '));
}

function launchDetached(env: NodeJS.ProcessEnv, name: string): number {
  const result = cli(['launch', name, '--detach', '--', 'sleep', '300'], env);
  assert.equal(result.code, 0, result.stderr);
  const pid = Number(/\(pid (\d+)\)/.exec(result.stdout)![1]);
  cleanupLater(pid);
  return pid;
}

test('stop --all with nothing running says so, with a database and without one', () => {
  const home = makeHome();
  assert.deepEqual(cli(['stop', '--all'], home.env).stdout, 'nothing to stop: no instance is running\n');
  createDatabase(home);
  const result = cli(['stop', '--all'], home.env);
  assert.deepEqual([result.code, result.stdout], [0, 'nothing to stop: no instance is running\n']);
  assert.equal(cli(['stop', '--all', '--json'], home.env).stdout, '[]\n');
});

test('stop of several names with one unknown names it and stops none; stop says in words what happened', () => {
  const home = makeHome();
  const pid = launchDetached(home.env, 'alpha');
  expectFailure(['stop', 'alpha', 'zeta'], home.env, 1, 'lifeline: nothing was stopped: no instance named "zeta"\n');
  expectFailure(['stop', 'alpha', 'alpah'], home.env, 1, 'lifeline: nothing was stopped: no instance named "alpah"; did you mean alpha?\n');
  assert.equal(isAlive(pid), true);
  // One name alone: the usual line.
  expectFailure(['stop', 'zeta'], home.env, 1, 'lifeline: no instance named "zeta"\n');

  const stop = cli(['stop', 'alpha', '--timeout', '5'], home.env);
  assert.deepEqual([stop.code, stop.stdout], [0, `alpha: stopped; pid ${pid} ended on SIGTERM\n`]);
  assert.match(cli(['list', '--all'], home.env).stdout, /^alpha +stopped \d+s ago by the user +- /m);
});

test('reconcile says each outcome in words; its JSON keeps the fixed values', () => {
  const home = makeHome();
  createDatabase(home);
  insertRow(home.db, { name: 'old', pid: 4242, boot_id: 'an-earlier-boot', proc_start: 'linux:1' });
  const dry = cli(['reconcile', '--dry-run'], home.env);
  assert.equal(dry.stdout, 'old: dead (exit:reboot); would be recorded as stopped\ndry run: 1 would be stopped, 0 kept, 0 skipped; nothing was written\n');
  const json = JSON.parse(cli(['reconcile', '--dry-run', '--json'], home.env).stdout) as { results: { action: string }[] };
  assert.equal(json.results[0]!.action, 'would-stop');
  assert.match(cli(['reconcile'], home.env).stdout, /^old: dead \(exit:reboot\); recorded as stopped; resume it with: lifeline r old$/m);
});

test('bind and unbind suggest close names, and name a stopped instance as stopped', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'alpha', '--', 'true'], home.env).code, 0); // Ends at once: stopped.
  for (const command of ['bind', 'unbind']) {
    expectFailure([command, 'alpah', 'k=v'], home.env, 1, 'lifeline: no instance named "alpah"; did you mean alpha?\n');
    expectFailure([command, 'alpha', 'k=v'], home.env, 1, 'lifeline: alpha is not running (stopped); bindings belong to running instances, and lifeline r alpha brings it back\n');
  }
});

test('r: a missing --cwd folder is named as such', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'alpha', '--', 'true'], home.env).code, 0);
  const missing = join(home.dir, 'missing');
  expectFailure(['r', 'alpha', '--cwd', missing], home.env, 1, `lifeline: --cwd ${missing}: no such folder\n`);
  expectFailure(['r', 'alpha', '--cwd', missing, '--dry-run'], home.env, 1, `lifeline: --cwd ${missing}: no such folder\n`);
});

test('usage: unknown login-item action, -V, help COMMAND, missing arguments in our words', () => {
  const home = makeHome();
  expectFailure(['login-item', 'enable'], home.env, 2, 'lifeline: unknown action "enable": lifeline login-item install|uninstall|status\n');
  expectFailure(['login-item'], home.env, 2, 'lifeline: missing ACTION (see lifeline login-item --help)\n');
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.deepEqual(cli(['-V'], home.env).stdout, `${pkg.version}\n`);
  const help = cli(['help', 'list'], home.env);
  assert.deepEqual([help.code, help.stdout], [0, cli(['list', '--help'], home.env).stdout]);
  assert.match(help.stdout, /USAGE lifeline list/);
  expectFailure(['bind'], home.env, 2, 'lifeline: missing NAME (see lifeline bind --help)\n');
  expectFailure(['track'], home.env, 2, 'lifeline: missing NAME (see lifeline track --help)\n');
  expectFailure(['track', 'alpha'], home.env, 2, 'lifeline: missing --pid (see lifeline track --help)\n');
});

test('notices read like the rest: lifeline: …', () => {
  const home = makeHome();
  const result = cli(['reconcile'], home.env);
  assert.equal(result.stderr, `lifeline: no database at ${home.db} yet\n`);
});

test('with --json a failure also prints {"error": {code, message}} on stdout, with the usual line and exit status', () => {
  const home = makeHome();
  createDatabase(home);
  const unknown = cli(['stop', 'zeta', '--json'], home.env);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'lifeline: no instance named "zeta"\n');
  assert.deepEqual(JSON.parse(unknown.stdout), { error: { code: 'unknown-name', message: 'no instance named "zeta"' } });
  const usage = cli(['list', '--bogus', '--json'], home.env);
  assert.equal(usage.code, 2);
  assert.deepEqual(JSON.parse(usage.stdout), { error: { code: 'usage', message: 'unknown option --bogus for lifeline list (see lifeline list --help)' } });
  // A program's own --json after -- is not lifeline's.
  const program = cli(['launch', 'p', '--', 'sh', '-c', 'exit 3', '--json'], home.env);
  assert.deepEqual([program.code, program.stdout], [3, '']);
});

test('launch --json, detached and in the foreground', () => {
  const home = makeHome();
  const detached = cli(['launch', 'alpha', '--detach', '--json', '--', 'sleep', '300'], home.env);
  assert.equal(detached.code, 0, detached.stderr);
  const started = JSON.parse(detached.stdout) as Record<string, unknown>;
  cleanupLater(started['pid'] as number);
  assert.deepEqual(started, { name: 'alpha', pid: rows(home.db)[0]!['pid'], argv: ['sleep', '300'], cwd: process.cwd(), log: join(home.dir, 'logs', 'alpha.log') });
  assert.equal(cli(['stop', 'alpha'], home.env).code, 0);

  const foreground = cli(['launch', 'beta', '--json', '--', 'sh', '-c', 'exit 4'], home.env);
  assert.equal(foreground.code, 4);
  const ended = JSON.parse(foreground.stdout) as Record<string, unknown>;
  assert.deepEqual({ ...ended, pid: 0 }, { name: 'beta', pid: 0, argv: ['sh', '-c', 'exit 4'], cwd: process.cwd(), exit_code: 4 });
});
