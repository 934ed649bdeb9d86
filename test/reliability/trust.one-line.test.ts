import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cli, type CliResult } from '../helpers/cli.js';
import { dump } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { cleanupLater, waitFor } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

function oneLine(result: CliResult, code: number, pattern: RegExp, what: string): void {
  assert.equal(result.code, code, `${what}: ${result.stderr}`);
  assert.match(result.stderr, pattern, what);
  assert.equal(result.stderr.split('\n').length, 2, `${what}: one line, got ${JSON.stringify(result.stderr)}`);
  assert.doesNotMatch(result.stderr, /unexpected error|\n\s+at /, what);
}

/** Runs lifeline through sh, so that arguments and folders can hold bytes Node itself could not pass. */
function viaShell(script: string, env: NodeJS.ProcessEnv, cwd?: string): CliResult {
  const result = spawnSync('sh', ['-c', script, process.execPath, CLI], { env, encoding: 'utf8', cwd });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

test('--db naming a folder and LIFELINE_HOME naming a file: one line each, exit 1, nothing created', () => {
  const home = makeHome();
  const folder = join(home.dir, 'a-folder');
  mkdirSync(folder);
  for (const args of [['list'], ['launch', 'x', '--', 'true'], ['reconcile'], ['reconcile', '--quiet'], ['stop', 'x']]) {
    oneLine(cli(['--db', folder, ...args], home.env), 1, /^lifeline: \S+a-folder is a folder, not a SQLite database\n$/, `--db folder ${args.join(' ')}`);
  }
  assert.deepEqual(readdirSync(folder), []);
  const file = join(home.dir, 'a-file');
  writeFileSync(file, 'hello\n');
  for (const args of [['list'], ['launch', 'x', '--', 'true'], ['reconcile'], ['reconcile', '--quiet'], ['events']]) {
    oneLine(cli(args, { ...home.env, LIFELINE_HOME: file }), 1, /^lifeline: the state folder \S+a-file is a file, not a folder \(LIFELINE_HOME\)\n$/, `LIFELINE_HOME file ${args.join(' ')}`);
  }
});

test("a blank LIFELINE_DB, --db or LIFELINE_HOME is a usage error that leaves no stray file", () => {
  const home = makeHome();
  const cwd = join(home.dir, 'cwd');
  mkdirSync(cwd);
  for (const [env, args, what] of [
    [{ LIFELINE_DB: ' ' }, ['launch', 'x', '--', 'true'], 'LIFELINE_DB'],
    [{}, ['--db', '  ', 'launch', 'x', '--', 'true'], '--db'],
    [{ LIFELINE_HOME: ' ' }, ['launch', 'x', '--', 'true'], 'LIFELINE_HOME'],
  ] as const) {
    oneLine(cli(args, { ...home.env, ...env }, { cwd }), 2, new RegExp(`^lifeline: ${what.replace(/-/g, '\\-')} is blank; give a path or leave it unset\\n$`), what);
  }
  assert.deepEqual(readdirSync(cwd), [], 'no file named by spaces');
});

test('`launch -1` and `events -1` are usage errors, not a silently dropped -1', () => {
  const home = makeHome();
  createDatabase(home);
  const before = dump(home.db);
  oneLine(cli(['launch', '-1', '--', 'true'], home.env), 2, /^lifeline: unknown option -1 for lifeline launch/, 'launch -1');
  oneLine(cli(['events', '-1'], home.env), 2, /^lifeline: unknown option -1 for lifeline events/, 'events -1');
  assert.equal(dump(home.db), before);
});

test('an argument or a current folder that is not valid UTF-8 is refused in one line before anything is written', () => {
  const home = makeHome();
  createDatabase(home);
  const before = dump(home.db);
  oneLine(
    viaShell(`"$0" "$1" launch bytes -- printf '%s' "$(printf 'caf\\351')"`, home.env),
    2,
    /^lifeline: the argument caf\\xe9 is not valid UTF-8; Node\.js would pass it on altered, so lifeline refuses it\n$/,
    'argv',
  );
  oneLine(viaShell(`"$0" "$1" bind seed "k=$(printf '\\377')"`, home.env), 2, /^lifeline: the argument k=\\xff is not valid UTF-8/, 'bind value');
  const parent = join(home.dir, 'parent');
  mkdirSync(parent);
  oneLine(
    viaShell(`mkdir "$(printf 'dir\\377')" && cd "$(printf 'dir\\377')" && "$0" "$1" launch infolder -- true`, home.env, parent),
    2,
    /^lifeline: the current folder \S+\/parent\/dir\\xff is not valid UTF-8; Node\.js cannot start a program there/,
    'cwd',
  );
  assert.equal(dump(home.db), before);
  const ok = viaShell(`"$0" "$1" launch fine -- printf '%s' "café ✓"`, home.env);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'café ✓');
});

test('a newline in a path: the login item is refused in one line, no unit file is written', () => {
  const home = makeHome();
  const config = join(home.dir, 'config');
  const env = { ...home.env, LIFELINE_HOME: join(home.dir, 'state\nExecStartPre=/bin/sh -c id'), XDG_CONFIG_HOME: config, HOME: home.dir };
  for (const args of [['login-item', 'install'], ['login-item', 'install', '--dry-run']]) {
    oneLine(cli(args, env), 2, /^lifeline: cannot write a login item for "[^"]+\\nExecStartPre=\/bin\/sh -c id": a newline or other control character in a path would break the file\n$/, args.join(' '));
  }
  assert.deepEqual(readdirSync(home.dir).includes('config'), false);
});

test('track of a process whose command line or folder is not valid UTF-8 is refused: a resume would run something else', async () => {
  const home = makeHome();
  createDatabase(home);
  const before = dump(home.db);
  const parent = join(home.dir, 'parent');
  mkdirSync(parent);
  const scripts = [
    `exec sh -c 'while :; do sleep 1; done; : "$1"' sh "$(printf 'x\\377')"`, // Its command line holds the byte.
    `mkdir "$(printf 'd\\377')" && cd "$(printf 'd\\377')" && exec sleep 300`, // Its folder does.
  ];
  for (const script of scripts) {
    const child = spawn('sh', ['-c', script], { cwd: parent, stdio: 'ignore' });
    cleanupLater(child.pid);
    await waitFor('the process to settle', () => {
      const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'latin1');
      return cmdline.includes('\u00ff') || cmdline.startsWith('sleep');
    });
    oneLine(cli(['track', 'odd', '--pid', String(child.pid)], home.env), 2, /^lifeline: pid \d+'s command line or folder is not valid UTF-8; lifeline could not resume it as it is, so it does not track it\n$/, script);
    child.kill('SIGKILL');
  }
  assert.equal(dump(home.db), before);
});

test('a LIFELINE_HOME or LIFELINE_DB that is not valid UTF-8 is refused in one line; no folder named with U+FFFD appears', () => {
  const home = makeHome();
  for (const variable of ['LIFELINE_HOME', 'LIFELINE_DB']) {
    oneLine(
      viaShell(`export ${variable}="$HOME_DIR/$(printf 'st\\377')"; exec "$0" "$1" launch x -- true`, { ...home.env, HOME_DIR: home.dir }),
      2,
      new RegExp(`^lifeline: ${variable}=\\S+st\\\\xff is not valid UTF-8; Node\\.js would read another path, so lifeline refuses it\\n$`),
      variable,
    );
  }
  assert.deepEqual(readdirSync(home.dir), []);
});
