/**
 * End to end with a stand-in for each agent (fixtures/agents/stand-in.mjs) that speaks its session
 * and hook protocol: launch, the agent's own SessionStart hook, kill -9, reconcile, r.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { interactive, makeAgentHome, type AgentHome } from './helpers/agents.js';
import { cli, cliJson } from './helpers/cli.js';
import { entry } from './helpers/entry.js';
import { bindings, events, insertBinding, insertRow, rows } from './helpers/db.js';
import { isAlive, waitFor } from './helpers/processes.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

function sessionOf(home: AgentHome, name: string): string[] {
  return bindings(home.db).filter((b) => b['instance'] === name && b['kind'] === 'session').map((b) => String(b['value']));
}

function argvOf(home: AgentHome, name: string): string[] {
  return JSON.parse(String(rows(home.db).find((row) => row['name'] === name)!['argv'])) as string[];
}

function lastSnapshot(home: AgentHome, name: string): Record<string, unknown> {
  return events(home.db, 'life.stopped').filter((e) => e.instance === name).at(-1)!.data.snapshot!;
}

/** kill -9 of the launcher and the agent, as a crash or a power cut would: nobody records the end. */
async function killTree(home: AgentHome, name: string, launcher: ReturnType<typeof interactive>): Promise<void> {
  const pid = Number(rows(home.db).find((row) => row['name'] === name)!['pid']);
  launcher.child.kill('SIGKILL');
  await launcher.exited;
  process.kill(pid, 'SIGKILL');
  await waitFor('the agent to die', () => !isAlive(pid));
}

function reconcile(home: AgentHome): void {
  const result = cli(['reconcile', '--force'], home.env);
  assert.equal(result.code, 0, result.stderr);
}

test('claude: the session is bound before the program starts, /clear moves it, and r after kill -9 resumes it in its folder', async () => {
  const home = makeAgentHome();
  // Without the hook first: the pre-assigned id is written with the reservation, before the start.
  const plain = interactive(['launch', 'first', '--', 'claude', '--model', 'opus', 'do the thing'], home.env, home.project);
  await plain.waitFor(/ready claude/);
  const argv = argvOf(home, 'first');
  assert.match(argv.join(' '), new RegExp(`^claude --session-id ${UUID} --model opus do the thing$`));
  const preset = argv[2]!;
  const row = rows(home.db).find((r) => r['name'] === 'first')!;
  const bound = bindings(home.db).filter((b) => b['instance'] === 'first');
  assert.deepEqual(bound.map((b) => [b['kind'], b['value'], b['created_at']]), [['session', preset, row['created_at']]], 'bound with the reservation');
  assert.deepEqual(JSON.parse(String(row['resume_argv'])), ['claude', '--model', 'opus', '--resume', '{session}']);
  plain.send('/exit');
  assert.equal(await plain.exited, 0);

  assert.equal(cli(['agents', 'install', 'claude'], home.env).code, 0);
  const job = interactive(['launch', 'job', '--', 'claude', '--model', 'opus'], home.env, home.project);
  const started = await job.waitFor(new RegExp(`session (${UUID}) source startup`));
  assert.deepEqual(sessionOf(home, 'job'), [started[1]], 'the hook confirms the pre-assigned id');
  job.send('fix the bug');
  await job.waitFor(/prompt fix the bug/);
  job.send('/clear');
  const cleared = await job.waitFor(new RegExp(`session (${UUID}) source clear`));
  assert.notEqual(cleared[1], started[1]);
  assert.deepEqual(sessionOf(home, 'job'), [cleared[1]], 'the new session replaces the old one');
  job.send('after the clear');
  await job.waitFor(/prompt after the clear/);
  await killTree(home, 'job', job);

  reconcile(home);
  assert.equal(lastSnapshot(home, 'job')['cwd'], home.project);
  const plan = cliJson<{ argv: string[]; cwd: string; start: string }>(['r', 'job', '--dry-run'], home.env);
  assert.deepEqual(plan.argv, ['claude', '--model', 'opus', '--resume', cleared[1]]);
  assert.equal(plan.cwd, home.project);
  assert.equal(plan.start, 'resume');
  // From another folder: the agent comes back in its own.
  const resumed = cli(['r', 'job'], home.env, { cwd: home.dir, input: '/exit\n' });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /history after the clear\n/);
  assert.doesNotMatch(resumed.stdout, /history fix the bug/, 'the conversation after the clear');
  assert.match(resumed.stdout, new RegExp(`session ${cleared[1]} source resume`));
  assert.deepEqual(lastSnapshot(home, 'job')['argv'], ['claude', '--model', 'opus', '--resume', cleared[1]]);
  assert.deepEqual(lastSnapshot(home, 'job')['bindings'], [{ kind: 'session', value: cleared[1] }]);
});

test('codex: --no-daemon, the session learned at the first prompt, resumed with -C; never bound → fresh start', async () => {
  const home = makeAgentHome();
  assert.equal(cli(['agents', 'install', 'codex'], home.env).code, 0);
  const job = interactive(['launch', 'cx', '--', 'codex', '-m', 'gpt-5'], home.env, home.project);
  await job.waitFor(/ready codex/);
  assert.deepEqual(argvOf(home, 'cx'), ['codex', '--no-daemon', '-m', 'gpt-5']);
  assert.deepEqual(sessionOf(home, 'cx'), [], 'codex says nothing before the first prompt');
  job.send('write the tests');
  const started = await job.waitFor(new RegExp(`session (${UUID}) source startup`));
  await job.waitFor(/prompt write the tests/);
  assert.doesNotMatch(job.output(), /Hooks need review/, 'the installed hook is trusted');
  assert.deepEqual(sessionOf(home, 'cx'), [started[1]]);
  await killTree(home, 'cx', job);
  reconcile(home);
  const resumed = cli(['r', 'cx'], home.env, { cwd: home.dir, input: '/exit\n' });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /history write the tests/);
  assert.deepEqual(lastSnapshot(home, 'cx')['argv'], ['codex', '--no-daemon', '-C', home.project, '-m', 'gpt-5', 'resume', started[1]]);

  // Killed before its first prompt: no session was ever bound, so r starts codex fresh there.
  const quiet = interactive(['launch', 'cy', '--', 'codex', '--search', 'a first prompt'], home.env, home.project);
  await quiet.waitFor(/ready codex/);
  await killTree(home, 'cy', quiet);
  reconcile(home);
  const dry = cli(['r', 'cy', '--dry-run'], home.env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.stdout, `would start codex fresh in this terminal, in ${home.project} (its session was never recorded; codex tells it at the first prompt):\n  codex --no-daemon --search\n`);
  const fresh = cli(['r', 'cy'], home.env, { cwd: home.dir, input: '/exit\n' });
  assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
  assert.match(fresh.stderr, /cy: its session was never recorded; codex tells it at the first prompt; starting codex fresh in /);
  assert.deepEqual(lastSnapshot(home, 'cy')['argv'], ['codex', '--no-daemon', '--search']);
  assert.equal(lastSnapshot(home, 'cy')['cwd'], home.project);
});

test('gemini: nothing typed before the end → r says so and starts fresh with a new pre-assigned id', async () => {
  const home = makeAgentHome();
  assert.equal(cli(['agents', 'install', 'gemini'], home.env).code, 0);
  const job = interactive(['launch', 'gm', '--', 'gemini', '-m', 'gemini-2.5-flash'], home.env, home.project);
  const started = await job.waitFor(new RegExp(`session (${UUID}) source startup`));
  await killTree(home, 'gm', job);
  reconcile(home);
  const plan = cliJson<{ argv: string[]; start: string; why: string }>(['r', 'gm', '--dry-run'], home.env);
  assert.equal(plan.start, 'fresh');
  assert.equal(plan.why, `gemini has no transcript of session ${started[1]}: nothing was typed before it ended`);
  const fresh = cli(['r', 'gm'], home.env, { cwd: home.dir, input: '/exit\n' });
  assert.equal(fresh.code, 0, fresh.stdout + fresh.stderr);
  const argv = lastSnapshot(home, 'gm')['argv'] as string[];
  assert.equal(argv[1], '--session-id');
  assert.notEqual(argv[2], started[1]);
  assert.deepEqual(argv.slice(3), ['-m', 'gemini-2.5-flash']);
  assert.deepEqual(lastSnapshot(home, 'gm')['bindings'], [{ kind: 'session', value: argv[2] }]);

  // Typed this time: resumed, the old prompt back.
  // Nothing typed in that life either, so this r starts fresh again, with yet another id.
  const again = interactive(['r', 'gm'], home.env, home.dir);
  const latest = (await again.waitFor(new RegExp(`session (${UUID}) source startup`)))[1]!;
  assert.notEqual(latest, argv[2]);
  again.send('explain the repo');
  await again.waitFor(/prompt explain the repo/);
  await killTree(home, 'gm', again);
  reconcile(home);
  const resumed = cli(['r', 'gm'], home.env, { cwd: home.dir, input: '/exit\n' });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /history explain the repo/);
  assert.match(resumed.stdout, new RegExp(`session ${latest} source resume`));
});

test('r NAME --bind session=… supplies a session the instance never bound', async () => {
  const home = makeAgentHome();
  assert.equal(cli(['agents', 'install', 'codex'], home.env).code, 0);
  const first = interactive(['launch', 'a', '--', 'codex'], home.env, home.project);
  first.send('remember this');
  const session = (await first.waitFor(new RegExp(`session (${UUID}) source startup`)))[1]!;
  await first.waitFor(/prompt remember this/);
  first.send('/exit');
  await first.exited;
  // Another instance, ended before its first prompt; the user knows which conversation it should continue.
  const second = interactive(['launch', 'b', '--', 'codex'], home.env, home.project);
  await second.waitFor(/ready codex/);
  second.send('/exit');
  await second.exited;
  const resumed = cli(['r', 'b', '--bind', `session=${session}`], home.env, { input: '/exit\n' });
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /history remember this/);
  assert.deepEqual(lastSnapshot(home, 'b')['bindings'], [{ kind: 'session', value: session }]);
});

test('an agent started inside an instance (claude -p in a tool, codex exec) runs its hook with the same marker: its session is not taken', async () => {
  const home = makeAgentHome();
  assert.equal(cli(['agents', 'install', 'codex', 'claude'], home.env).code, 0);
  const job = interactive(['launch', 'cx', '--', 'codex'], home.env, home.project);
  job.send('write the tests');
  const own = (await job.waitFor(new RegExp(`session (${UUID}) source startup`)))[1]!;
  await job.waitFor(/prompt write the tests/);

  // The agent's shell tool starts agents of its own: they inherit the marker, and their installed hooks run.
  job.send(`!printf 'a nested prompt\\n/exit\\n' | codex --no-daemon`);
  await job.waitFor(/tool exit 0/);
  assert.deepEqual(sessionOf(home, 'cx'), [own], 'a nested codex left the session alone');
  job.send(`!printf '/exit\\n' | claude -p 'summarize'`);
  await job.waitFor(/tool exit 0\n(.|\n)*tool exit 0/);
  assert.deepEqual(sessionOf(home, 'cx'), [own], 'a nested claude left the session alone');
  const log = readFileSync(join(home.dir, 'logs', 'hook.log'), 'utf8').trim().split('\n');
  assert.equal(log.length, 2, log.join('\n'));
  assert.match(log[0]!, new RegExp(`hook codex: session ${UUID} \\(startup\\) not recorded: a new codex session \\(startup\\) reported for cx, whose session is ${own}$`));
  assert.match(log[1]!, /hook claude: session .* \(startup\) not recorded: a claude started inside cx, which runs codex$/);

  // The instance's own agent still moves its session: /clear gives a new id.
  job.send('/clear');
  job.send('after the clear');
  const cleared = (await job.waitFor(new RegExp(`session (${UUID}) source clear`)))[1]!;
  await job.waitFor(/prompt after the clear/);
  assert.notEqual(cleared, own);
  assert.deepEqual(sessionOf(home, 'cx'), [cleared]);

  // Run by hand from outside the instance, the hook is refused, even as a `clear`: `lifeline bind` says it.
  const marker = String(rows(home.db).find((row) => row['name'] === 'cx')!['marker']);
  const byHand = '11111111-2222-4333-8444-555555555555';
  const result = cli(['hook', 'codex'], { ...home.env, LIFELINE_INSTANCE_ID: marker }, { input: JSON.stringify({ session_id: byHand, source: 'clear' }) });
  assert.deepEqual([result.code, result.stdout, result.stderr], [0, '', '']);
  assert.deepEqual(sessionOf(home, 'cx'), [cleared]);
  assert.equal(cli(['bind', 'cx', `session=${byHand}`], home.env).code, 0);
  assert.deepEqual(sessionOf(home, 'cx'), [byHand]);
  job.send('/exit');
  assert.equal(await job.exited, 0);

  // An instance that runs no agent itself (a shell) keeps the last session any agent inside reported.
  const shell = interactive(['launch', 'sh-job', '--', 'sh'], home.env, home.project);
  await waitFor('the shell instance', () => rows(home.db).some((row) => row['name'] === 'sh-job' && row['status'] === 'active'));
  for (let i = 1; i <= 2; i++) {
    shell.send(`printf '/exit\\n' | claude; echo "claude $?"`);
    await shell.waitFor(new RegExp(`(claude 0(.|\\n)*){${i}}`));
    const reported = [...shell.output().matchAll(new RegExp(`session (${UUID}) source startup`, 'g'))].map((m) => m[1]);
    assert.equal(reported.length, i);
    assert.deepEqual(sessionOf(home, 'sh-job'), [reported.at(-1)]);
  }
  shell.send('exit');
  assert.equal(await shell.exited, 0);
});

test('a nested agent never takes the session, whatever its parent (orphaned in the background), timing (no pid yet) or source', async () => {
  const home = makeAgentHome();
  assert.equal(cli(['agents', 'install', 'claude'], home.env).code, 0);
  const job = interactive(['launch', 'cl', '--', 'claude'], home.env, home.project);
  const own = (await job.waitFor(new RegExp(`session (${UUID}) source startup`)))[1]!;
  await waitFor('the pid to be recorded', () => rows(home.db).some((row) => row['name'] === 'cl' && row['status'] === 'active'));
  const hookLog = join(home.dir, 'logs', 'hook.log');
  const logged = (): string[] => (existsSync(hookLog) ? readFileSync(hookLog, 'utf8').trim().split('\n') : []);

  // A claude started in the background by the agent's tool: orphaned (its parent is gone) by the time it
  // starts, it fires a startup and, after its own /clear, a clear with the instance's marker.
  job.send(`!(sleep 0.3; printf '/clear\\n/exit\\n' | claude >/dev/null 2>&1) & exit 0`);
  await job.waitFor(/tool exit 0/);
  await waitFor('the nested agent to report twice', () => logged().length === 2);
  assert.deepEqual(sessionOf(home, 'cl'), [own]);
  assert.match(logged()[0]!, /\(startup\) not recorded: a new claude session \(startup\) reported for cl, whose session is/);
  assert.match(logged()[1]!, /\(clear\) not recorded: session .* \(clear\) was not reported by cl's own claude, whose session is/);

  // Whatever the source says (none, another spelling, compact), another id is not the instance's.
  const marker = String(rows(home.db).find((row) => row['name'] === 'cl')!['marker']);
  for (const source of [undefined, 'Startup', 'compact', 'Clear']) {
    const payload = { session_id: '11111111-2222-4333-8444-555555555555', ...(source === undefined ? {} : { source }) };
    assert.equal(cli(['hook', 'claude'], { ...home.env, LIFELINE_INSTANCE_ID: marker }, { input: JSON.stringify(payload) }).code, 0);
  }
  assert.deepEqual(sessionOf(home, 'cl'), [own]);
  assert.equal(logged().length, 6);

  // The instance's own /clear moves it.
  job.send('/clear');
  const cleared = (await job.waitFor(new RegExp(`session (${UUID}) source clear`)))[1]!;
  assert.deepEqual(sessionOf(home, 'cl'), [cleared]);
  job.send('/exit');
  assert.equal(await job.exited, 0);

  // Before its pid is recorded (a report within the first moments of a launch), a clear is refused too;
  // the session lifeline chose for it, reported by its own agent, is taken as it is.
  const early = randomUUID();
  insertRow(home.db, { name: 'early', status: 'launching', pid: null, boot_id: 'this-boot', marker: early, argv: ['claude', '--session-id', own], cwd: home.project });
  insertBinding(home.db, 'early', 'session', own);
  for (const [id, source] of [[cleared, 'clear'], [own, 'startup']] as const) {
    assert.equal(cli(['hook', 'claude'], { ...home.env, LIFELINE_INSTANCE_ID: early }, { input: JSON.stringify({ session_id: id, source }) }).code, 0);
  }
  assert.deepEqual(sessionOf(home, 'early'), [own]);
  assert.equal(logged().length, 7);
});

test('LIFELINE_DB reaches the program, so its hook finds a registry chosen with --db', async () => {
  const home = makeAgentHome();
  assert.equal(cli(['agents', 'install', 'claude'], home.env).code, 0); // Installed without --db.
  const db = join(home.dir, 'elsewhere.db');
  const job = interactive(['--db', db, 'launch', 'job', '--', 'claude'], home.env, home.project);
  await job.waitFor(/ready claude/);
  job.send('/clear');
  const cleared = await job.waitFor(new RegExp(`session (${UUID}) source clear`));
  const found = bindings(db).filter((b) => b['kind'] === 'session').map((b) => b['value']);
  assert.deepEqual(found, [cleared[1]]);
  job.send('/exit');
  assert.equal(await job.exited, 0);
  const hookLog = join(home.dir, 'logs', 'hook.log');
  assert.throws(() => readFileSync(hookLog), /ENOENT/, 'no problem was logged');
});

test('the hook: nothing on stdout, exit 0 whatever happens, problems in logs/hook.log, never a new database', () => {
  const home = makeAgentHome();
  const run = (input: string, env: NodeJS.ProcessEnv) => cli(['hook', 'claude'], env, { input });
  const noMarker = run('{"session_id":"x"}', home.env);
  assert.deepEqual([noMarker.code, noMarker.stdout, noMarker.stderr], [0, '', '']);
  const withMarker = { ...home.env, LIFELINE_INSTANCE_ID: '00000000-0000-4000-8000-000000000000' };
  const noDb = run('{"session_id":"x"}', withMarker);
  assert.deepEqual([noDb.code, noDb.stdout, noDb.stderr], [0, '', '']);
  assert.throws(() => readFileSync(join(home.dir, 'lifeline.db')), /ENOENT/, 'no database was created');
  assert.equal(cli(['launch', 'seed', '--', 'true'], home.env).code, 0);
  for (const input of ['not json', '{"session_id": "../../x y"}', '{"session_id":"abc"}']) {
    const result = run(input, withMarker);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, '', '']);
  }
  const bad = cli(['hook', 'claude', '--no-such-flag'], withMarker, { input: '{}' });
  assert.deepEqual([bad.code, bad.stdout], [0, '']);
  const log = readFileSync(join(home.dir, 'logs', 'hook.log'), 'utf8').trim().split('\n');
  assert.equal(log.length, 5, log.join('\n'));
  assert.match(log[0]!, /hook claude: no registry at .*lifeline\.db$/);
  assert.match(log[1]!, /hook claude: the hook input is not JSON/);
  assert.match(log[2]!, /no usable session_id/);
  assert.match(log[3]!, /no instance with marker 00000000-0000-4000-8000-000000000000/);
});

test('LIFELINE_DB reaches the program on every way it starts: node foreground, sh entry, detached; and only when chosen', async () => {
  const home = makeAgentHome();
  const db = join(home.dir, 'chosen.db');
  const show = ['sh', '-c', 'echo "db=${LIFELINE_DB-unset}"'];
  const viaNode = cli(['--db', db, 'launch', 'a', '--', ...show], home.env);
  assert.equal(viaNode.stdout, `db=${db}\n`, viaNode.stderr);
  const viaEntry = entry(['--db', db, 'launch', 'b', '--', ...show], home.env);
  assert.equal(viaEntry.stdout, `db=${db}\n`, viaEntry.stderr);
  assert.equal(cli(['--db', db, 'launch', 'c', '--detach', '--', ...show], home.env).code, 0);
  const log = join(home.dir, 'logs', 'c.log');
  await waitFor('the detached output', () => { try { return readFileSync(log, 'utf8').includes('db='); } catch { return false; } });
  assert.equal(readFileSync(log, 'utf8'), `db=${db}\n`);
  const fromEnv = entry(['launch', 'd', '--', ...show], { ...home.env, LIFELINE_DB: 'relative.db' }, { cwd: home.dir });
  assert.equal(fromEnv.stdout, `db=${join(realpathSync(home.dir), 'relative.db')}\n`, 'made absolute');
  const unchosen = entry(['launch', 'e', '--', ...show], home.env);
  assert.equal(unchosen.stdout, 'db=unset\n');
});

test('a hook installed with --db X still records into the registry the launch used', async () => {
  const home = makeAgentHome();
  const other = join(home.dir, 'other.db');
  assert.equal(cli(['--db', other, 'agents', 'install', 'claude'], home.env).code, 0);
  const job = interactive(['launch', 'job', '--', 'claude'], home.env, home.project);
  await job.waitFor(/ready claude/);
  job.send('/clear');
  const cleared = (await job.waitFor(new RegExp(`session (${UUID}) source clear`)))[1]!;
  assert.deepEqual(sessionOf(home, 'job'), [cleared]);
  assert.equal(existsSync(other), false, 'the hook never created the registry it was installed with');
  job.send('/exit');
  assert.equal(await job.exited, 0);
  assert.equal(existsSync(join(home.dir, 'logs', 'hook.log')), false, 'no problem was logged');
});

test('launch NAME is refused only over a session r NAME would really resume: a first start that ended before any prompt is not', () => {
  const home = makeAgentHome();
  const opts = { input: '/exit\n', cwd: home.project };
  assert.equal(cli(['launch', 'alice', '--', 'claude'], home.env, opts).code, 0);
  assert.match(cli(['r', 'alice', '--dry-run'], home.env).stdout, /fresh/);
  const again = cli(['launch', 'alice', '--', 'claude'], home.env, { input: 'hello\n/exit\n', cwd: home.project });
  assert.equal(again.code, 0, again.stderr);
  // That life had a prompt, so its transcript exists: now r would resume it, and launch is refused.
  const refused = cli(['launch', 'alice', '--', 'claude'], home.env, opts);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^lifeline: alice ended \(exit:code:0\) with session .*: resume it with lifeline r alice/);
});
