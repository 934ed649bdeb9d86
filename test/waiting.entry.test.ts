import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { events, rows } from './helpers/db.js';
import { ENTRY, entry, entryAsync, exeOf, isIgnored, statFields } from './helpers/entry.js';
import { makeHome } from './helpers/home.js';
import { cleanupLater, have, isAlive, waitFor } from './helpers/processes.js';

const cheap = have('dash') && have('setsid') && spawnSync('env', ['--default-signal=INT', 'true']).status === 0;
const skip = cheap ? false : 'needs dash, setsid and GNU env --default-signal (the machine falls back to a Node parent)';

test('every other command goes straight to Node, with its output and exit code', () => {
  const home = makeHome();
  assert.equal(entry(['--version'], home.env).stdout, cli(['--version'], home.env).stdout);
  const unknown = entry(['lanch'], home.env);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, cli(['lanch'], home.env).stderr);
  const quiet = entry(['reconcile', '--quiet'], home.env);
  assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', '']);
});

test('a foreground launch waits in dash, not in Node, and records the exit once', { skip }, async () => {
  const home = makeHome();
  const launcher = entryAsync(['launch', 'alice', '--', 'sh', '-c', 'echo "$LIFELINE_NAME:$LIFELINE_INSTANCE_ID"; read x <&-; sleep 3; exit 7'], home.env);
  cleanupLater(launcher.pid);
  const row = await waitActive(home.db);
  const pid = Number(row['pid']);
  const parent = Number(statFields(pid)![1]);
  assert.equal(parent, launcher.pid, 'the program is a child of the entry itself');
  assert.match(exeOf(parent) ?? '', /\/dash$/, 'the entry waits as dash');
  assert.equal(statFields(pid)![2], String(launcher.pid), 'in the entry\'s process group (the terminal\'s foreground group)');
  const result = await launcher.done;
  assert.equal(result.code, 7);
  const [name, marker] = result.stdout.trim().split(':');
  assert.equal(name, 'alice');
  const log = events(home.db);
  assert.deepEqual(log.map((e) => [e.type, e.data.by, e.data.reason ?? null]), [
    ['life.started', 'user', null],
    ['life.stopped', 'self', 'exit:code:7'],
  ]);
  assert.equal(log[0]!.data.marker, marker);
  assert.equal(log[1]!.data.snapshot!['proc_start'], row['proc_start']);
  assert.deepEqual(rows(home.db), []);
});

/** The active row, once the waiter's helper has recorded it. */
async function waitActive(db: string): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await waitFor('an active row', () => {
    try {
      found = rows(db).find((row) => row['status'] === 'active');
    } catch {
      found = undefined;
    }
    return found !== undefined;
  });
  return found!;
}

test('the start token sh records is the program\'s own (field 22), and the marker is in its environ', { skip }, async () => {
  const home = makeHome();
  const launcher = entryAsync(['launch', 'tok', '--', 'sleep', '30'], home.env);
  cleanupLater(launcher.pid);
  const row = await waitActive(home.db);
  const pid = Number(row['pid']);
  cleanupLater(pid);
  assert.equal(row['proc_start'], `linux:${statFields(pid)![19]}`);
  assert.match(readFileSync(`/proc/${pid}/environ`, 'latin1'), new RegExp(`\0LIFELINE_INSTANCE_ID=${String(row['marker'])}\0`));
  assert.equal(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), 'sleep\u000030\u0000', 'the program runs as itself (env exec\'d it)');
  const listed = JSON.parse(cli(['list', '--json'], home.env).stdout) as { name: string; state: string }[];
  assert.equal(listed[0]!.state, 'running');
  assert.equal(cli(['stop', 'tok'], home.env).code, 0);
  const result = await launcher.done;
  assert.equal(result.signal, 'SIGTERM', 'the entry ends the way its program did');
  assert.deepEqual(events(home.db, 'life.stopped').map((e) => [e.data.by, e.data.reason]), [['user', 'stopped']], "the user's stop beats the exit");
});

test('exit 130 is never SIGINT: signals at random moments, to the group and to the entry', { skip, timeout: 120_000 }, async () => {
  const home = makeHome();
  const runs = Number(process.env['LIFELINE_SOAK_RUNS'] ?? 40);
  assert.equal(entry(['launch', 'seed', '--', 'true'], home.env).code, 0); // The database exists before the runs race.
  const started = Date.now();
  const wrong: string[] = [];
  let next = 0;
  const random = (n: number): number => Math.floor(Math.random() * n);
  const one = async (i: number): Promise<void> => {
    const name = `soak-${i}`;
    // Half exit 130 or 143 by themselves and cannot be killed by these signals; half are killed.
    const byItself = i % 2 === 0;
    const code = random(2) === 0 ? 130 : 143;
    const kind = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const)[random(3)]!;
    const program = byItself ? ['sh', '-c', `trap '' INT TERM HUP; sleep 0.0${random(8)}; exit ${code}`] : ['sleep', '30'];
    const launcher = entryAsync(['launch', name, '--', ...program], home.env);
    cleanupLater(launcher.pid);
    let over = false;
    void launcher.exited.then(() => (over = true));
    // A program that ends within 0.1 s is recorded only once it is over: then the entry has exited.
    await waitFor(`${name} to be recorded`, () => {
      try {
        return over || rows(home.db).some((r) => r['name'] === name && r['status'] === 'active') || events(home.db).some((e) => e.instance === name);
      } catch {
        return false;
      }
    }, 30_000);
    await new Promise((resolve) => setTimeout(resolve, random(80)));
    // Ctrl-C and hang-up reach the whole group; a plain `kill` reaches the entry alone.
    for (let shots = 1 + random(2); shots > 0; shots--) {
      try {
        if (kind === 'SIGTERM') process.kill(launcher.pid!, kind);
        else process.kill(-launcher.pid!, kind);
      } catch {
        // Already over.
      }
      await new Promise((resolve) => setTimeout(resolve, random(20)));
    }
    const result = await launcher.done;
    const stopped = events(home.db, 'life.stopped').filter((e) => e.instance === name);
    // A TERM to the entry alone is a kill of lifeline's own process: an end close to it reads as the
    // session going down (exit:shutdown), whether the program died of it or exited by itself meanwhile.
    const own = byItself ? `exit:code:${code}` : `exit:signal:${kind}`;
    const expected = kind !== 'SIGTERM' ? [own] : byItself ? [own, 'exit:shutdown'] : ['exit:shutdown'];
    const got = stopped.map((e) => e.data.reason).join(',');
    const exitOk = byItself ? result.code === code && result.signal === null : result.signal === kind;
    if (!expected.includes(got) || !exitOk) wrong.push(`${name}: expected ${expected.join(' or ')}, recorded ${got}, entry ${result.code}/${result.signal}`);
  };
  const worker = async (): Promise<void> => {
    while (next < runs) await one(next++);
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  assert.deepEqual(wrong, [], `${wrong.length} of ${runs} wrong`);
  assert.deepEqual(rows(home.db), [], 'no row left behind');
  process.stdout.write(`# ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

test('nohup and an ignored SIGINT stay ignored in the program; otherwise INT and QUIT are default', { skip }, async () => {
  const home = makeHome();
  const cases: [string, string[], (mask: bigint) => void][] = [
    ['plain', [ENTRY], (mask) => assert.equal(isIgnored(mask, constants.signals.SIGINT) || isIgnored(mask, constants.signals.SIGQUIT), false)],
    ['nohup', ['nohup', ENTRY], (mask) => assert.equal(isIgnored(mask, constants.signals.SIGHUP), true, 'nohup keeps working')],
    ['int-ignored', ['sh', '-c', `trap '' INT; exec "$0" "$@"`, ENTRY], (mask) => assert.equal(isIgnored(mask, constants.signals.SIGINT), true)],
  ];
  for (const [name, prefix, check] of cases) {
    const out = join(home.dir, `${name}.sigign`);
    const result = spawnSync(prefix[0]!, [...prefix.slice(1), 'launch', name, '--', 'sh', '-c', `grep SigIgn /proc/self/status > '${out}'`], {
      env: home.env,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      cwd: home.dir,
    });
    assert.equal(result.status, 0, result.stderr);
    const mask = BigInt(`0x${readFileSync(out, 'utf8').split(/\s+/)[1]}`);
    check(mask);
  }
});

test('no helper carries argv, folder or binding values on its command line', { skip: skip || (have('strace') ? false : 'needs strace') }, () => {
  const home = makeHome();
  const folder = mkdtempSync(join(tmpdir(), 'lifeline-secret-folder-'));
  try {
    const trace = join(home.dir, 'trace');
    const result = spawnSync(
      'strace',
      ['-f', '-qq', '-s', '4096', '-e', 'trace=execve', '-o', trace, ENTRY, 'launch', 'sec', '--bind', 'session=SESSION-SECRET', '--detach', '--', 'sh', '-c', 'exit 0', 'ARGV-SECRET'],
      { env: home.env, encoding: 'utf8', cwd: folder },
    );
    assert.equal(result.status, 0, result.stderr);
    const fg = spawnSync('strace', ['-f', '-qq', '-s', '4096', '-e', 'trace=execve', '-o', `${trace}.fg`, ENTRY, 'launch', 'sec2', '--bind', 'session=SESSION-SECRET', '--', 'sh', '-c', 'exit 0', 'ARGV-SECRET'], {
      env: home.env,
      encoding: 'utf8',
      cwd: folder,
    });
    assert.equal(fg.status, 0, fg.stderr);
    for (const file of [trace, `${trace}.fg`]) {
      const execs = readFileSync(file, 'utf8').split('\n').filter((line) => line.includes('execve('));
      // The entry and the Node it asks first run the user's own command line; the program runs its own.
      const helpers = execs.filter((line) => !line.includes(`"${ENTRY}"`) && !line.includes('"sh", "-c", "exit 0", "ARGV-SECRET"]') && !line.includes('cli.cjs", "launch"'));
      for (const line of helpers) {
        assert.doesNotMatch(line, /SESSION-SECRET|ARGV-SECRET|lifeline-secret-folder/, line);
      }
      assert.ok(helpers.some((line) => line.includes('waiter.cjs')), 'the helpers ran');
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('r --json through the entry prints what node prints', { skip }, () => {
  const home = makeHome();
  assert.equal(entry(['launch', 'j', '--', 'sh', '-c', 'exit 3'], home.env).code, 3);
  const viaEntry = entry(['r', 'j', '--json'], home.env);
  assert.equal(viaEntry.code, 3, viaEntry.stderr);
  const report = JSON.parse(viaEntry.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(report), ['name', 'pid', 'argv', 'cwd', 'resumed_from', 'exit_code']);
  assert.equal(report['exit_code'], 3);
  assert.equal(typeof report['pid'], 'number');
  const viaNode = cli(['r', 'j', '--json'], home.env);
  const other = JSON.parse(viaNode.stdout) as Record<string, unknown>;
  assert.equal(viaEntry.stdout, viaNode.stdout.replace(`"pid": ${String(other['pid'])}`, `"pid": ${String(report['pid'])}`).replace(`"resumed_from": ${String(other['resumed_from'])}`, `"resumed_from": ${String(report['resumed_from'])}`));
});

test('launch --json through the entry prints the program\'s own pid and exit code, once, after it ended', { skip }, () => {
  const home = makeHome();
  const viaEntry = entry(['launch', 'j', '--json', '--', 'sh', '-c', 'echo "pid $$"; exit 3'], home.env);
  assert.equal(viaEntry.code, 3, viaEntry.stderr);
  const [printed, json] = [viaEntry.stdout.slice(0, viaEntry.stdout.indexOf('\n') + 1), viaEntry.stdout.slice(viaEntry.stdout.indexOf('\n') + 1)];
  const report = JSON.parse(json) as Record<string, unknown>;
  assert.deepEqual(Object.keys(report), ['name', 'pid', 'argv', 'cwd', 'exit_code']);
  assert.equal(printed, `pid ${String(report['pid'])}\n`, 'the program printed first, with the pid the report names');
  assert.equal(report['exit_code'], 3);
  assert.equal(events(home.db, 'life.started')[0]!.data.pid, report['pid']);
});

test('a command that cannot start: one line, exit 1, no row left', { skip }, () => {
  const home = makeHome();
  const missing = entry(['launch', 'nope', '--', 'no-such-command-lifeline-test'], home.env);
  assert.deepEqual([missing.code, missing.stderr], [1, 'lifeline: cannot start no-such-command-lifeline-test: command not found\n']);
  assert.deepEqual(rows(home.db), []);
  assert.deepEqual(events(home.db).map((e) => e.data.reason), ['exit:launch-failed']);
});

test('a long command line (over the 128 KiB one argv string may hold, in all) starts and is recorded', { skip }, () => {
  const home = makeHome();
  const words = Array.from({ length: 3 }, (_, i) => `${i}`.repeat(60_000));
  for (const [how, run] of [
    ['entry', () => entry(['launch', 'long-entry', '--', 'sh', '-c', 'exit 0', ...words], home.env)],
    ['node', () => cli(['launch', 'long-node', '--', 'sh', '-c', 'exit 0', ...words], home.env)],
    ['detached', () => cli(['launch', 'long-detached', '--detach', '--', 'sh', '-c', 'exit 0', ...words], home.env)],
  ] as const) {
    const result = run();
    assert.equal(result.code, 0, `${how}: ${result.stderr}`);
  }
  return waitFor('every exit to be recorded', () => rows(home.db).length === 0).then(() => {
    assert.deepEqual(events(home.db, 'life.stopped').map((e) => e.data.reason), ['exit:code:0', 'exit:code:0', 'exit:code:0']);
  });
});

test('a waiter killed with SIGKILL: the program runs on, and its end is the honest exit:gone', { skip }, async () => {
  const home = makeHome();
  const launcher = entryAsync(['launch', 'orphan', '--', 'sleep', '30'], home.env);
  const row = await waitActive(home.db);
  const pid = Number(row['pid']);
  cleanupLater(pid);
  process.kill(launcher.pid!, 'SIGKILL');
  await launcher.exited;
  assert.equal(isAlive(pid), true, 'the program is not taken down with its waiter');
  process.kill(pid, 'SIGKILL');
  await waitFor('the program to end', () => !isAlive(pid));
  const report = JSON.parse(cli(['reconcile', '--force', '--json'], home.env).stdout) as { results: { name: string; reason: string; action: string }[] };
  assert.deepEqual(report.results.map((r) => [r.name, r.reason, r.action]), [['orphan', 'exit:gone', 'stopped']]);
  assert.equal(events(home.db, 'life.stopped').length, 1);
});

test('with --db, the program gets LIFELINE_DB through the dash waiters too (foreground and detached)', { skip }, async () => {
  const home = makeHome();
  const db = join(home.dir, 'chosen.db');
  const foreground = entry(['--db', db, 'launch', 'fg', '--', 'sh', '-c', 'echo "$LIFELINE_DB"'], home.env);
  assert.equal(foreground.code, 0, foreground.stderr);
  assert.equal(foreground.stdout, `${db}\n`);
  const detached = entry(['launch', 'bg', '--db', db, '--detach', '--', 'sh', '-c', 'echo "$LIFELINE_DB"'], home.env);
  assert.equal(detached.code, 0, detached.stderr);
  await waitFor('the detached exit', () => events(db, 'life.stopped').some((e) => e.instance === 'bg'));
  assert.equal(readFileSync(join(home.dir, 'logs', 'bg.log'), 'utf8'), `${db}\n`);
});

test("env is asked about --default-signal once per env binary: a launch remembers the answer, a different env is asked again", { skip: skip || (have('strace') ? false : 'needs strace') }, () => {
  const home = makeHome();
  const asked = (env: NodeJS.ProcessEnv): number => {
    const traces = mkdtempSync(join(home.dir, 'trace-'));
    // -ff: one file per process, so no line is split by another process's.
    const result = spawnSync('strace', ['-ff', '-qq', '-e', 'trace=execve', '-o', join(traces, 't'), ENTRY, 'launch', '--', 'sh', '-c', 'exit 0'], { env, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    // The program itself runs as `env --default-signal=INT,QUIT sh -c …`; the question is `… true`.
    const lines = readdirSync(traces).flatMap((file) => readFileSync(join(traces, file), 'utf8').split('\n'));
    return lines.filter((line) => line.includes('"--default-signal=INT,QUIT", "true"') && line.endsWith('= 0')).length;
  };
  assert.equal(asked(home.env), 1, 'the first launch asks');
  const memo = readFileSync(join(home.dir, 'env-default-signal'), 'utf8');
  assert.match(memo, /^\/\S*\/env\n\d+:\d+:\d+:[\d.]+\n$/);
  assert.equal(asked(home.env), 0, 'later launches read the answer');
  // Another env first on PATH (a copy: its own inode) is asked again.
  const bin = join(home.dir, 'bin');
  mkdirSync(bin);
  copyFileSync(memo.split('\n')[0]!, join(bin, 'env'));
  chmodSync(join(bin, 'env'), 0o755);
  const otherPath = { ...home.env, PATH: `${bin}:${home.env['PATH'] ?? ''}` };
  assert.equal(asked(otherPath), 1);
  assert.equal(readFileSync(join(home.dir, 'env-default-signal'), 'utf8').split('\n')[0], join(bin, 'env'));
  assert.equal(asked(otherPath), 0);
});
