import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { bindings, events, insertRow, rows } from './helpers/db.js';
import { makeHome, type TestHome } from './helpers/home.js';
import { cleanupLater, have, isAlive, waitFor } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';
import { privateTmux, windowsOf, type PrivateTmux } from './helpers/tmux.js';

const skip = have('tmux') ? false : 'needs tmux';

function setup(): { tmux: PrivateTmux; home: TestHome; folder: string } {
  const tmux = privateTmux();
  const home = makeHome(tmux.env);
  delete home.env['TMUX'];
  const folder = join(home.dir, 'project');
  mkdirSync(folder);
  return { tmux, home, folder };
}

function rowOf(home: TestHome, name: string): Record<string, unknown> | undefined {
  return rows(home.db).find((row) => row['name'] === name);
}

test('launch --tmux=SESSION runs the program in its own window, in its folder; the pid is its own; stop ends it once', { skip }, async () => {
  const { tmux, home, folder } = setup();
  const launched = cli(['launch', 'web', '--tmux=work', '--', 'sh', '-c', 'echo hello; exec sleep 300'], home.env, { cwd: folder });
  assert.equal(launched.code, 0, launched.stderr);
  const row = rowOf(home, 'web')!;
  cleanupLater(Number(row['pid']));
  assert.equal(launched.stdout, `web started (pid ${row['pid']}), in tmux window work:web (see it with: tmux attach -t work)\n`);
  assert.equal(row['status'], 'active', 'active before launch returned');
  assert.equal(row['detached'], 0);
  assert.deepEqual(bindings(home.db).map((b) => [b['kind'], b['value']]), [['tmux', 'work:web']]);
  assert.deepEqual(windowsOf(tmux, 'work'), [`web|${folder}`]);
  assert.equal(readlinkSync(`/proc/${row['pid']}/cwd`), folder);
  assert.match(readFileSync(`/proc/${row['pid']}/environ`, 'utf8'), new RegExp(`(^|\\0)LIFELINE_INSTANCE_ID=${row['marker']}\\0`));
  await waitFor('the program to print in its window', () => (tmux.tryRun(['capture-pane', '-p', '-t', '=work:web']) ?? '').includes('hello'));
  assert.match(cli(['list'], home.env).stdout, /web +running in tmux work:web/);
  const [listed] = cliJson<{ bindings: unknown; resume_argv: unknown }[]>(['list'], home.env);
  assert.deepEqual(listed!.bindings, [{ kind: 'tmux', value: 'work:web' }]);
  assert.equal(listed!.resume_argv, null);

  assert.equal(cli(['stop', 'web', '--timeout', '5'], home.env).code, 0);
  await waitFor('the window to close', () => windowsOf(tmux, 'work').length === 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(events(home.db, 'life.stopped').map((e) => [e.data.by, e.data.reason]), [['user', 'stopped']], 'one stop: the launcher saw the exit after it');
  assert.equal(isAlive(Number(row['pid'])), false);
});

test('a program that ends by itself in its window is recorded once, with its code', { skip }, async () => {
  const { tmux, home, folder } = setup();
  assert.equal(cli(['launch', 'job', '--tmux', '--', 'sh', '-c', 'sleep 0.5; exit 5'], home.env, { cwd: folder }).code, 0);
  await waitFor('the exit to be recorded', () => rowOf(home, 'job') === undefined);
  await waitFor('the window to close', () => windowsOf(tmux, 'lifeline').length === 0);
  assert.deepEqual(events(home.db).map((e) => [e.type, e.data.by, e.data.reason ?? null]), [
    ['life.started', 'user', null],
    ['life.stopped', 'self', 'exit:code:5'],
  ]);
});

test('a command that cannot start in tmux fails with the launcher’s message and leaves no row and no window', { skip }, () => {
  const { tmux, home, folder } = setup();
  const result = cli(['launch', 'nope', '--tmux', '--', 'no-such-command-lifeline-test'], home.env, { cwd: folder });
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: cannot start no-such-command-lifeline-test: command not found\n');
  assert.deepEqual(rows(home.db), []);
  assert.deepEqual(windowsOf(tmux, 'lifeline'), []);
});

test('without tmux installed, --tmux is a one-line error and nothing is written', () => {
  const home = makeHome();
  const env = { ...home.env, PATH: join(home.dir, 'empty-path') };
  const result = cli(['launch', 'x', '--tmux', '--', 'sleep', '1'], env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: tmux is not installed; install it, or use --detach\n');
  assert.equal(existsSync(home.db), false);
});

test('r NAME comes back the way it ran — detached, or in its tmux session — unless told otherwise', { skip }, async () => {
  const { tmux, home, folder } = setup();
  assert.equal(cli(['launch', 'bg', '--detach', '--', 'sleep', '300'], home.env, { cwd: folder }).code, 0);
  assert.equal(cli(['stop', 'bg'], home.env).code, 0);
  assert.equal(cliJson<{ detached: boolean }>(['r', 'bg', '--dry-run'], home.env).detached, true);
  const back = cli(['r', 'bg'], home.env);
  assert.equal(back.code, 0, back.stderr);
  cleanupLater(Number(rowOf(home, 'bg')!['pid']));
  assert.match(back.stdout, /^bg resumed \(pid \d+\), detached in /);
  assert.equal(rowOf(home, 'bg')!['detached'], 1);
  assert.equal(cli(['stop', 'bg'], home.env).code, 0);
  // --foreground wins over the memory: the program owns this terminal and its code is lifeline's.
  const fg = cli(['r', 'bg', '--foreground', '--dry-run'], home.env);
  assert.equal(fg.stdout, `would run in this terminal, in ${folder}:\n  sleep 300\n`);

  assert.equal(cli(['launch', 'tm', '--tmux=work', '--', 'sleep', '300'], home.env, { cwd: folder }).code, 0);
  assert.equal(cli(['stop', 'tm'], home.env).code, 0);
  await waitFor('the window to close', () => windowsOf(tmux, 'work').length === 0);
  const again = cli(['r', 'tm'], home.env);
  assert.equal(again.code, 0, again.stderr);
  cleanupLater(Number(rowOf(home, 'tm')!['pid']));
  assert.match(again.stdout, /^tm resumed \(pid \d+\) in .*, in tmux window work:tm/);
  assert.deepEqual(windowsOf(tmux, 'work'), [`tm|${folder}`]);
  assert.equal(cli(['stop', 'tm'], home.env).code, 0);
  // --detach wins, and the life that is not in tmux carries no tmux binding.
  const detached = cli(['r', 'tm', '--detach'], home.env);
  assert.equal(detached.code, 0, detached.stderr);
  cleanupLater(Number(rowOf(home, 'tm')!['pid']));
  assert.deepEqual(bindings(home.db), []);
  assert.equal(cli(['stop', 'tm'], home.env).code, 0);
  assert.equal(cliJson<{ detached: boolean; tmux: string | null }>(['r', 'tm', '--dry-run'], home.env).detached, true);
});

test('a folder named like a tmux format or ending in ; works in launch --tmux and r --all --tmux, and runs nothing', { skip }, async () => {
  const { tmux, home } = setup();
  createDatabase(home);
  // tmux expands `-c` as a format (`#(…)` runs a command, `#{…}` expands) and reads a final `;` as a separator.
  const names = { fmt: '#(touch PWNED)', var: '#{pane_pid}', semi: 'build;' } as const;
  const folders = Object.fromEntries(Object.entries(names).map(([key, base]) => [key, join(home.dir, base)])) as Record<keyof typeof names, string>;
  for (const folder of Object.values(folders)) mkdirSync(folder);
  const pwned = (): string[] => [home.dir, process.cwd(), ...Object.values(folders)].filter((dir) => existsSync(join(dir, 'PWNED')));

  for (const [key, folder] of Object.entries(folders)) {
    const launched = cli(['launch', key, '--tmux=work', '--', 'sleep', '300'], home.env, { cwd: folder });
    assert.equal(launched.code, 0, launched.stderr);
    const pid = Number(rowOf(home, key)!['pid']);
    cleanupLater(pid);
    assert.equal(readlinkSync(`/proc/${pid}/cwd`), folder);
  }
  assert.deepEqual(windowsOf(tmux, 'work'), Object.entries(folders).map(([key, folder]) => `${key}|${folder}`));
  assert.equal(cli(['stop', '--all', '--timeout', '5'], home.env).code, 0);

  // The same folders as ghosts of an earlier boot, brought back from another folder by r --all --tmux.
  const t0 = Date.now() - 60_000;
  Object.entries(folders).forEach(([key, folder], index) =>
    insertRow(home.db, { name: `${key}-2`, pid: 4242 + index, boot_id: 'an-earlier-boot', proc_start: 'linux:1', created_at: t0 + index, cwd: folder, argv: ['sleep', '300'] }),
  );
  assert.equal(cli(['reconcile', '--quiet'], home.env).code, 0);
  const restored = cli(['r', '--all', '--tmux=again', '--spacing', '0'], home.env, { cwd: home.dir });
  assert.equal(restored.code, 0, restored.stdout + restored.stderr);
  for (const [key, folder] of Object.entries(folders)) {
    const pid = Number(rowOf(home, `${key}-2`)!['pid']);
    cleanupLater(pid);
    assert.equal(readlinkSync(`/proc/${pid}/cwd`), folder);
  }
  assert.deepEqual(windowsOf(tmux, 'again'), Object.entries(folders).map(([key, folder]) => `${key}-2|${folder}`));
  assert.deepEqual(pwned(), [], 'no folder name ran as a command');
  assert.equal(cli(['stop', '--all', '--timeout', '5'], home.env).code, 0);
});
