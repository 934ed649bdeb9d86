import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, cli } from './helpers/cli.js';
import { insertRow, setKv } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { bootId, have } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';
import { shellSnippet } from '../src/integration/shell.js';

const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** argv to source a file in a fresh, non-interactive shell with no rc files of its own. */
function sourceArgv(shell: (typeof SHELLS)[number], file: string): string[] {
  if (shell === 'bash') return ['bash', '--norc', '--noprofile', '-c', `. '${file}'`];
  if (shell === 'zsh') return ['zsh', '-f', '-c', `. '${file}'`];
  return ['fish', '--no-config', '-c', `source '${file}'`];
}

interface ShellRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Processes the shell created: every execve and fork/clone after the shell's own start. */
  spawned: string[];
}

/**
 * Runs the shell under strace and counts the processes it starts; threads are not processes. With
 * `terminal`, its stdout is a terminal (`script` gives it a pty, as a terminal window does).
 */
function runTraced(shell: (typeof SHELLS)[number], file: string, env: NodeJS.ProcessEnv, traceFile: string, terminal = false): ShellRun {
  const traced = ['strace', '-f', '-qq', '-e', 'trace=execve,fork,vfork,clone,clone3', '-o', traceFile, ...sourceArgv(shell, file)];
  const argv = terminal ? ['script', '-qec', traced.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null'] : traced;
  const result = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (terminal) result.stdout = result.stdout.replace(/\r\n/g, '\n');
  const lines = readFileSync(traceFile, 'utf8').split('\n').filter((line) => line.trim() !== '');
  // The first line is the shell's own execve; clones that make threads (CLONE_THREAD) are not new processes.
  const spawned = lines.slice(1).filter((line) => /execve\(|fork\(|clone3?\(/.test(line) && !line.includes('CLONE_THREAD'));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, spawned };
}

for (const shell of SHELLS) {
  test(`${shell}: the first shell of a boot reconciles once, later shells start no process`, { skip: !have(shell) || !have('strace') ? `${shell} or strace is not installed` : false }, () => {
    const home = makeHome();
    createDatabase(home);
    insertRow(home.db, { name: 'alice', pid: 999_999_999, boot_id: bootId(), proc_start: 'linux:1' });
    const snippet = cli(['init', shell], home.env);
    assert.equal(snippet.code, 0, snippet.stderr);
    const file = join(home.dir, `snippet.${shell}`);
    writeFileSync(file, snippet.stdout);
    // The snippet carries its paths; the shells get an environment without LIFELINE_HOME to prove it.
    const env = { ...home.env };
    delete env['LIFELINE_HOME'];

    // The first shell has no terminal (an agent's hidden `bash -i`, a script): it reconciles, and the notice waits.
    const notice = 'lifeline: alice is not running (exit:gone); resume it with: lifeline r alice\n';
    const first = runTraced(shell, file, env, join(home.dir, 'trace-first'));
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual([first.stdout, first.stderr], ['', '']);
    assert.ok(first.spawned.some((line) => line.includes('execve(') && line.includes('node')), 'the first shell ran lifeline');
    assert.equal(readFileSync(join(home.dir, 'boot.stamp'), 'utf8'), `${bootId()}\n`);
    assert.equal(readFileSync(join(home.dir, 'notice'), 'utf8'), notice);

    // The first shell with a terminal shows it, with built-ins only; no later shell shows it again.
    const shown = runTraced(shell, file, env, join(home.dir, 'trace-shown'), true);
    assert.deepEqual([shown.status, shown.stdout, shown.stderr], [0, notice, '']);
    assert.deepEqual(shown.spawned, [], 'the terminal shell that showed the notice started no process');
    for (let i = 0; i < 4; i++) {
      const later = runTraced(shell, file, env, join(home.dir, `trace-${i}`), i % 2 === 0);
      assert.equal(later.status, 0, later.stderr);
      assert.deepEqual([later.stdout, later.stderr], ['', '']);
      assert.deepEqual(later.spawned, [], `later shell ${i + 1} started no process`);
    }
  });

  test(`${shell}: the first shell of a boot with a terminal prints the notice itself and leaves nothing pending`, { skip: !have(shell) || !have('script') ? `${shell} or script is not installed` : false }, () => {
    const home = makeHome();
    createDatabase(home);
    insertRow(home.db, { name: 'bob', pid: 999_999_999, boot_id: bootId(), proc_start: 'linux:1' });
    const file = join(home.dir, `snippet.${shell}`);
    writeFileSync(file, cli(['init', shell], home.env).stdout);
    const first = runTraced(shell, file, home.env, join(home.dir, 'trace-first'), true);
    assert.deepEqual([first.status, first.stdout], [0, 'lifeline: bob is not running (exit:gone); resume it with: lifeline r bob\n']);
    assert.equal(existsSync(join(home.dir, 'notice')), false);
    assert.equal(runTraced(shell, file, home.env, join(home.dir, 'trace-2'), true).stdout, '');
  });

  test(`${shell}: a missing lifeline or a missing state folder leaves the shell working and quiet`, { skip: !have(shell) ? `${shell} is not installed` : false }, () => {
    const home = makeHome();
    const snippet = cli(['init', shell], home.env).stdout;
    const argvOf = (file: string): string[] => sourceArgv(shell, file).concat();
    const scratch = mkdtempSync(join(tmpdir(), 'lifeline-snippet-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    const run = (text: string): { status: number | null; stdout: string; stderr: string } => {
      const file = join(scratch, `snippet-${Math.random()}.${shell}`);
      writeFileSync(file, `${text}\necho still-here\n`);
      const [command, ...args] = argvOf(file);
      const result = spawnSync(command!, args, { env: home.env, encoding: 'utf8', timeout: 60_000 });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };

    const uninstalled = run(snippet.split(cliPath()).join('/nonexistent/lifeline/cli.js'));
    assert.deepEqual(uninstalled, { status: 0, stdout: 'still-here\n', stderr: '' });

    rmSync(home.dir, { recursive: true, force: true });
    const noState = run(snippet);
    assert.deepEqual(noState, { status: 0, stdout: 'still-here\n', stderr: '' });
    assert.equal(existsSync(join(home.dir, 'lifeline.db')), false, 'no database appears from a shell start');
  });
}

function cliPath(): string {
  return CLI;
}

test('init freezes --db as it was: the snippet passes it on and reads the stamp beside that database', () => {
  const home = makeHome();
  const db = join(home.dir, 'elsewhere', 'agents.db');
  const snippet = cli(['--db', db, 'init', 'bash'], home.env);
  assert.equal(snippet.code, 0, snippet.stderr);
  assert.match(snippet.stdout, new RegExp(`IFS= read -r __lifeline_seen < '${db}\\.boot\\.stamp'`));
  assert.match(snippet.stdout, new RegExp(`reconcile --quiet --defer-notice --db '${db}'`));
  const fish = cli(['init', 'fish'], { ...home.env, LIFELINE_DB: db }).stdout;
  assert.match(fish, new RegExp(`reconcile --quiet --defer-notice --db '${db}'`));
});

for (const shell of SHELLS) {
  test(`${shell}: with no boot_id file the snippet reads btime from the proc root's stat, with built-ins only`, { skip: !have(shell) || !have('strace') ? `${shell} or strace is not installed` : false }, () => {
    const proc = mkdtempSync(join(tmpdir(), 'lifeline-proc-btime-'));
    after(() => rmSync(proc, { recursive: true, force: true }));
    writeFileSync(join(proc, 'stat'), 'cpu  1 2 3 4\nbtime 1795600123\nprocesses 5\n');
    const home = makeHome({ LIFELINE_PROC_ROOT: proc });
    const file = join(proc, `snippet.${shell}`);
    writeFileSync(file, cli(['init', shell], home.env).stdout);
    const env = { ...home.env };
    delete env['LIFELINE_PROC_ROOT']; // Frozen into the snippet, as the state folder is.

    const first = runTraced(shell, file, env, join(proc, 'trace-1'));
    assert.equal(first.status, 0, first.stderr);
    assert.equal(readFileSync(join(home.dir, 'boot.stamp'), 'utf8'), 'btime:1795600123\n');
    const later = runTraced(shell, file, env, join(proc, 'trace-2'));
    assert.deepEqual([later.status, later.stdout, later.stderr, later.spawned], [0, '', '', []]);
  });
}

test('the macOS snippets parse in every shell and run exactly one sysctl for the boot id', () => {
  const target = { node: '/usr/local/bin/node', cli: '/opt/lifeline/dist/cli.cjs', stamp: "/Users/o'neil/state/boot.stamp", notice: "/Users/o'neil/state/notice", db: null, home: "/Users/o'neil/state", procRoot: '/proc', platform: 'darwin' as const };
  for (const shell of SHELLS) {
    const snippet = shellSnippet(shell, target);
    assert.equal(snippet.match(/sysctl/g)?.length, 1, shell);
    assert.doesNotMatch(snippet, /\/proc/, shell);
    if (!have(shell)) continue;
    const check = shell === 'fish' ? ['fish', '--no-execute', '-c', snippet] : [shell, '-n', '-c', snippet];
    const parsed = spawnSync(check[0]!, check.slice(1), { encoding: 'utf8' });
    assert.equal(parsed.status, 0, `${shell}: ${parsed.stderr}`);
  }
});

test('a new pass reported as JSON or to a person drops the notice an earlier boot left pending', () => {
  const home = makeHome();
  createDatabase(home);
  for (const args of [['reconcile', '--json'], ['reconcile']]) {
    writeFileSync(join(home.dir, 'notice'), 'lifeline: old is not running (exit:reboot); resume it with: lifeline r old\n');
    writeFileSync(join(home.dir, 'notice.shown'), '');
    setKv(home.db, 'reconcile.boot', 'an-earlier-boot');
    assert.equal(cli(args, home.env).code, 0, args.join(' '));
    assert.deepEqual([existsSync(join(home.dir, 'notice')), existsSync(join(home.dir, 'notice.shown'))], [false, false], args.join(' '));
  }
});

test('fish: a link planted at the notice claim’s name is not written through', { skip: have('fish') && have('script') ? false : 'fish or script is not installed' }, () => {
  const home = makeHome();
  createDatabase(home);
  const file = join(home.dir, 'snippet.fish');
  writeFileSync(file, cli(['init', 'fish'], home.env).stdout);
  writeFileSync(join(home.dir, 'boot.stamp'), `${bootId()}\n`);
  writeFileSync(join(home.dir, 'notice'), 'lifeline: x is not running (exit:reboot); resume it with: lifeline r x\n');
  // A dangling link: `test -e` alone says nothing is there, and a write would create its target.
  const victim = join(home.dir, 'victim');
  symlinkSync(victim, join(home.dir, 'notice.shown'));
  const run = runTraced('fish', file, home.env, join(home.dir, 'trace'), true);
  assert.deepEqual([run.status, run.stdout], [0, '']);
  assert.equal(existsSync(victim), false, 'nothing was written through the link');
});
