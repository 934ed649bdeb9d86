import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliAsync, cliJson } from './helpers/cli.js';
import { events, insertBinding, insertRow, rows } from './helpers/db.js';
import { procFixture } from './helpers/fixtures.js';
import { makeAgentHome } from './helpers/agents.js';
import { makeHome, type TestHome } from './helpers/home.js';
import { cleanupLater, isAlive } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';
import type { RestoreJsonResult } from './helpers/restore.js';

/** A row of the boot before, as a reboot leaves it: reconcile ends it with exit:reboot. */
function ghost(home: TestHome, name: string, extra: Partial<Parameters<typeof insertRow>[1]> = {}): string {
  const cwd = join(home.dir, name);
  mkdirSync(cwd, { recursive: true });
  insertRow(home.db, { name, pid: 4242, boot_id: 'the-boot-before', proc_start: 'linux:1', cwd, argv: ['sleep', '300'], ...extra });
  return cwd;
}

function results(home: TestHome, args: string[]): RestoreJsonResult[] {
  return cliJson<{ results: RestoreJsonResult[] }>(['r', '--all', ...args], home.env).results;
}

test('r --all needs --detach or --tmux (a dry run does not), takes no NAME, and says when there is nothing to bring back', () => {
  const home = makeHome();
  createDatabase(home);
  assert.deepEqual(cliJson(['r', '--all', '--detach'], home.env), { results: [] });
  assert.equal(cli(['r', '--all', '--dry-run'], home.env).stdout, 'nothing to bring back: no boot is known to have ended with programs running\n');
  ghost(home, 'solo', { detached: 1 });
  assert.equal(cli(['reconcile'], home.env).code, 0);
  const bare = cli(['r', '--all'], home.env);
  assert.equal(bare.code, 2);
  assert.equal(bare.stderr, 'lifeline: r --all starts several programs, which cannot share one terminal: add --tmux or --detach\n');
  assert.equal(cli(['r', '--all', '--foreground'], home.env).code, 2);
  assert.equal(cli(['r', '--all', 'solo', '--detach'], home.env).code, 2);
  assert.equal(cli(['r', '--all', '--detach', '--tmux'], home.env).code, 2);
  assert.equal(cli(['r', 'solo', '--spacing', '0'], home.env).code, 2);
  assert.deepEqual(rows(home.db), [], 'nothing started by a refused command');
});

test('r --all --detach resumes the last boot’s set, skips forgotten names and sessions in use, reports failures and exits 1', async () => {
  const home = makeHome();
  createDatabase(home);
  const t0 = Date.now() - 60_000;
  ghost(home, 'alice', { created_at: t0, resume_argv: ['sh', '-c', 'echo "alice $0"; exec sleep 300', '{session}'], detached: 1 });
  insertBinding(home.db, 'alice', 'session', 's1');
  ghost(home, 'bob', { created_at: t0 + 1 });
  insertBinding(home.db, 'bob', 'session', 's1'); // Two writers into one transcript: the second is skipped.
  ghost(home, 'carol', { created_at: t0 + 2, argv: ['no-such-command-lifeline-test'] });
  ghost(home, 'erin', { created_at: t0 + 3 });
  ghost(home, 'frank', { created_at: t0 + 4 });
  insertBinding(home.db, 'frank', 'session', 's9');
  const reconciled = cli(['reconcile', '--quiet'], home.env);
  assert.ok(reconciled.stdout.endsWith('lifeline: bring them all back with: lifeline r --all --tmux\n'), reconciled.stdout);
  assert.equal(cli(['forget', 'erin'], home.env).code, 0);
  // gina, live now, holds frank's session.
  const gina = cli(['launch', 'gina', '--detach', '--bind', 'session=s9', '--', 'sleep', '300'], home.env);
  assert.equal(gina.code, 0, gina.stderr);
  const ginaPid = Number(rows(home.db).find((row) => row['name'] === 'gina')!['pid']);
  cleanupLater(ginaPid);

  const restore = cli(['r', '--all', '--detach', '--spacing', '0', '--json'], home.env);
  assert.equal(restore.code, 1, 'one failed');
  const got = (JSON.parse(restore.stdout) as { results: RestoreJsonResult[] }).results;
  const alice = rows(home.db).find((row) => row['name'] === 'alice')!;
  cleanupLater(Number(alice['pid']));
  assert.deepEqual(got, [
    { name: 'alice', action: 'resumed', reason: null, pid: alice['pid'], where: join(home.dir, 'logs', 'alice.log') },
    { name: 'bob', action: 'skipped', reason: 'session s1 is in use by alice', pid: null, where: null },
    { name: 'carol', action: 'failed', reason: 'cannot start no-such-command-lifeline-test: command not found', pid: null, where: null },
    { name: 'erin', action: 'skipped', reason: 'forgotten', pid: null, where: null },
    { name: 'frank', action: 'skipped', reason: 'session s9 is in use by gina', pid: null, where: null },
  ]);
  assert.equal(alice['detached'], 1);
  assert.equal(isAlive(Number(alice['pid'])), true);
  const started = events(home.db, 'life.started').find((e) => e.instance === 'alice')!;
  const passStop = events(home.db, 'life.stopped').find((e) => e.instance === 'alice')!;
  assert.equal(started.data.resumed_from, passStop.id);
  assert.deepEqual(rows(home.db).map((row) => row['name']).sort(), ['alice', 'gina']);

  // The human report: one line per instance and a summary.
  assert.equal(cli(['stop', 'alice'], home.env).code, 0);
  const human = cli(['r', '--all', '--dry-run', '--detach'], home.env);
  assert.equal(
    human.stdout,
    [
      `alice: skipped (started again since)`,
      `bob: would resume in ${join(home.dir, 'bob')} (output: ${join(home.dir, 'logs', 'bob.log')}, session s1): sleep 300`,
      `carol: would resume in ${join(home.dir, 'carol')} (output: ${join(home.dir, 'logs', 'carol.log')}): no-such-command-lifeline-test`,
      'erin: skipped (forgotten)',
      'frank: skipped (session s9 is in use by gina)',
      'dry run: 2 would resume, 3 skipped, 0 failed (what was running when boot the-boot-before ended); nothing was started',
      '',
    ].join('\n'),
  );
  assert.equal(cli(['stop', '--all'], home.env).code, 0);
});

test('r --all takes the set of the last ended boot, --boot that of another; a boot with no set is an error; --spacing waits between starts', () => {
  const home = makeHome();
  createDatabase(home);
  // boot-zero ran before the-boot-before: its lives started earlier. Its ghost is stopped by a pass
  // on the next-boot fixture's boot, those of the-boot-before by a forced pass on this machine's.
  ghost(home, 'old-one', { boot_id: 'boot-zero', created_at: Date.now() - 120_000 });
  const nextBoot = { ...home.env, LIFELINE_PROC_ROOT: procFixture('next-boot') };
  assert.equal(cli(['reconcile'], nextBoot).code, 0);
  ghost(home, 'new-one', { created_at: Date.now() - 1000 });
  ghost(home, 'new-two', { created_at: Date.now() - 999 });
  assert.equal(cli(['reconcile', '--force'], home.env).code, 0);

  assert.deepEqual(results(home, ['--dry-run']).map((r) => r.name), ['new-one', 'new-two'], 'the last ended boot by default');
  assert.deepEqual(results(home, ['--dry-run', '--boot', 'boot-zero']).map((r) => [r.name, r.action]), [['old-one', 'would-resume']]);
  const unknown = cli(['r', '--all', '--dry-run', '--boot', 'no-such-boot'], home.env);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'lifeline: nothing of boot no-such-boot is known to have been running when it ended\n');

  const start = Date.now();
  const spaced = results(home, ['--detach', '--spacing', '0.6']);
  const elapsed = Date.now() - start;
  for (const result of spaced) cleanupLater(result.pid ?? undefined);
  assert.deepEqual(spaced.map((r) => r.action), ['resumed', 'resumed']);
  assert.ok(elapsed >= 600, `two starts 0.6 s apart took ${elapsed} ms`);
  assert.equal(cli(['stop', '--all'], home.env).code, 0);
});

test('only what really came back counts: a program that ends within --settle is failed with its reason and stays in the set', () => {
  const home = makeHome();
  createDatabase(home);
  const t0 = Date.now() - 60_000;
  ghost(home, 'steady', { created_at: t0, detached: 1 });
  ghost(home, 'brief', { created_at: t0 + 1, argv: ['sh', '-c', 'exit 3'], detached: 1 });
  insertBinding(home.db, 'brief', 'session', 's-brief');
  assert.equal(cli(['reconcile'], home.env).code, 0);

  const first = cli(['r', '--all', '--detach', '--spacing', '0', '--settle', '1', '--json'], home.env);
  assert.equal(first.code, 1, 'one failed');
  const got = (JSON.parse(first.stdout) as { results: RestoreJsonResult[] }).results;
  const steady = rows(home.db).find((row) => row['name'] === 'steady')!;
  cleanupLater(Number(steady['pid']));
  assert.deepEqual(got, [
    { name: 'steady', action: 'resumed', reason: null, pid: steady['pid'], where: join(home.dir, 'logs', 'steady.log') },
    { name: 'brief', action: 'failed', reason: 'exit:code:3', pid: null, where: null },
  ]);
  // The failed life does not count as "started again since": the next r --all tries it again, from
  // the snapshot it failed to resume (with its session binding as it was).
  assert.deepEqual(results(home, ['--dry-run']).map((r) => [r.name, r.action]), [['steady', 'skipped'], ['brief', 'would-resume']]);
  const setStop = events(home.db, 'life.stopped').find((e) => e.instance === 'brief')!;
  assert.equal(cliJson<{ resumed_from: number }>(['r', 'brief', '--dry-run'], home.env).resumed_from, setStop.id);
  // --settle 0 turns the check off: a start is a resume.
  assert.deepEqual(results(home, ['--detach', '--settle', '0']).map((r) => [r.name, r.action]), [['steady', 'skipped'], ['brief', 'resumed']]);
  assert.equal(cli(['r', 'steady', '--settle', '1'], home.env).code, 2, '--settle goes with --all');
  assert.equal(cli(['stop', '--all'], home.env).code, 0);
});

test('r --all starts no more after three failures in a row, and says what it left', () => {
  const home = makeHome();
  createDatabase(home);
  const t0 = Date.now() - 60_000;
  for (const [i, name] of ['one', 'two', 'three'].entries()) ghost(home, name, { created_at: t0 + i, argv: ['no-such-command-lifeline-test'], detached: 1 });
  ghost(home, 'four', { created_at: t0 + 3, detached: 1 });
  assert.equal(cli(['reconcile'], home.env).code, 0);
  const restore = cli(['r', '--all', '--detach', '--spacing', '0.05'], home.env);
  assert.equal(restore.code, 1);
  assert.equal(
    restore.stdout,
    [
      'one: failed (cannot start no-such-command-lifeline-test: command not found)',
      'two: failed (cannot start no-such-command-lifeline-test: command not found)',
      'three: failed (cannot start no-such-command-lifeline-test: command not found)',
      'four: skipped (not started: 3 resumes failed in a row)',
      '0 resumed, 1 skipped, 3 failed (what was running when boot the-boot-before ended)',
      '',
    ].join('\n'),
  );
  assert.deepEqual(rows(home.db), []);
});

test('an interactive agent needs a terminal: r --all --detach skips it naming --tmux, launch --detach refuses it; a headless one runs detached', () => {
  const home = makeHome();
  createDatabase(home);
  const t0 = Date.now() - 60_000;
  ghost(home, 'talker', { created_at: t0, argv: ['claude', '--model', 'opus'], resume_argv: ['claude', '--model', 'opus', '--resume', '{session}'], detached: 1 });
  insertBinding(home.db, 'talker', 'session', '7c4e0f7a-55a4-4c8e-9d1e-2b1f3f0d9a10');
  ghost(home, 'printer', { created_at: t0 + 1, argv: ['claude', '-p', 'say hi'], detached: 1 });
  ghost(home, 'runner', { created_at: t0 + 2, argv: ['codex', 'exec', 'fix it'], detached: 1 });
  assert.equal(cli(['reconcile'], home.env).code, 0);
  const why = 'an interactive claude needs a terminal: run it with --tmux (or in the foreground)';
  assert.deepEqual(
    results(home, ['--detach', '--dry-run']).map((r) => [r.name, r.action, r.reason]),
    [['talker', 'skipped', why], ['printer', 'would-resume', null], ['runner', 'would-resume', null]],
  );
  const refused = cli(['launch', 'chat', '--detach', '--', 'claude'], home.env);
  assert.equal(refused.code, 2);
  assert.equal(refused.stderr, `lifeline: chat: ${why}\n`);
  const resumed = cli(['r', 'talker', '--detach'], home.env);
  assert.equal(resumed.code, 2);
  assert.ok(resumed.stderr.endsWith(`lifeline: talker: ${why}\n`), resumed.stderr);
  assert.deepEqual(rows(home.db), [], 'nothing written by a refused start');
});

test('by default, starts of one agent kind are 5 s apart and other programs keep the 1 s spacing', () => {
  const home = makeAgentHome();
  createDatabase(home);
  const t0 = Date.now() - 60_000;
  ghost(home, 'first-claude', { created_at: t0, argv: ['claude', '-p', 'hi'], detached: 1 });
  ghost(home, 'a-program', { created_at: t0 + 1, detached: 1 });
  ghost(home, 'second-claude', { created_at: t0 + 2, argv: ['claude', '-p', 'hi'], detached: 1 });
  assert.equal(cli(['reconcile'], home.env).code, 0);
  const got = results(home, ['--detach', '--settle', '0']);
  for (const result of got) cleanupLater(result.pid ?? undefined);
  assert.deepEqual(got.map((r) => [r.name, r.action]), [['first-claude', 'resumed'], ['a-program', 'resumed'], ['second-claude', 'resumed']]);
  // When each start began: the time its row was written (the row itself, or its snapshot once it ended).
  const startedAt = (name: string): number => {
    const row = rows(home.db).find((r) => r['name'] === name);
    if (row !== undefined) return Number(row['created_at']);
    return Number((events(home.db, 'life.stopped').filter((e) => e.instance === name).at(-1)!.data.snapshot as { created_at: number }).created_at);
  };
  const program = startedAt('a-program') - startedAt('first-claude');
  const claudes = startedAt('second-claude') - startedAt('first-claude');
  // Spacing runs from one start's beginning to the next; a row is written a few ms into its start, so
  // the rows may be a little closer than the spacing itself (seen: 998 ms under load).
  assert.ok(program >= 950 && program < 4000, `the program started ${program} ms after the first claude`);
  assert.ok(claudes >= 4950, `the two claudes started ${claudes} ms apart`);
  assert.equal(cli(['stop', '--all'], home.env).code, 0);
});

test('two r --all at once: each name comes back once, the other run says it is being resumed elsewhere, and neither fails', async () => {
  const home = makeHome();
  createDatabase(home);
  const t0 = Date.now() - 60_000;
  const names = Array.from({ length: 10 }, (_, i) => `p${i}`);
  names.forEach((name, i) => ghost(home, name, { created_at: t0 + i }));
  assert.equal(cli(['reconcile', '--quiet'], home.env).code, 0);
  const runs = [0, 1].map(() => cliAsync(['r', '--all', '--detach', '--spacing', '0', '--settle', '0', '--json'], home.env));
  const done = await Promise.all(runs.map((run) => run.done));
  for (const row of rows(home.db)) cleanupLater(Number(row['pid']));
  for (const run of done) assert.equal(run.code, 0, run.stdout + run.stderr);
  const all = done.flatMap((run) => (JSON.parse(run.stdout) as { results: RestoreJsonResult[] }).results);
  assert.deepEqual(all.filter((result) => result.action === 'failed'), []);
  assert.deepEqual(all.filter((result) => result.action === 'resumed').map((result) => result.name).sort(), names, 'each name resumed once');
  for (const result of all.filter((r) => r.action === 'skipped')) assert.match(result.reason!, /^(started again since|being resumed by another lifeline)$/);
  assert.deepEqual(rows(home.db).map((row) => row['name']).sort(), names);
  assert.equal(cli(['stop', '--all'], home.env).code, 0);
});
