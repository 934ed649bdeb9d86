import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { cliJson } from './helpers/cli.js';
import { insertRow, rows } from './helpers/db.js';
import { fixtureBootId, procFixture } from './helpers/fixtures.js';
import { makeHome } from './helpers/home.js';
import { bootId, cleanupLater, isAlive, procState, startSleeper, startToken, waitFor } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';

interface Report {
  results: { name: string; pid: number | null; verdict: string; reason: string | null; action: string }[];
}

function verdicts(report: Report): Record<string, [string, string | null, string]> {
  return Object.fromEntries(report.results.map((r) => [r.name, [r.verdict, r.reason, r.action]]));
}

/**
 * `sh` forks a child, then becomes `sleep` (which never reaps): once the child exits, a real zombie.
 * The child waits a moment so that the exec comes first even on a loaded machine (a child that ended
 * before the exec could be reaped by sh).
 */
async function makeZombie(): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 300'], { stdio: ['ignore', 'pipe', 'ignore'] });
  cleanupLater(parent.pid);
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))));
  await waitFor('the child to become a zombie', () => procState(pid) === 'Z');
  return pid;
}

test('each verdict of SPEC §5, on real processes', async () => {
  const home = makeHome();
  createDatabase(home);
  const boot = bootId();
  const now = Date.now();

  const stranger = startSleeper(); // Started before the rows below: it cannot be theirs.
  const unmarked = startSleeper(); // Right identity, but no marker in its environment.
  const own = startSleeper(300, { env: { ...process.env, LIFELINE_INSTANCE_ID: 'm-own' } });
  const zombie = await makeZombie();

  insertRow(home.db, { name: 'reused-token', pid: stranger.pid, boot_id: boot, proc_start: 'linux:1', marker: null });
  insertRow(home.db, { name: 'marker-gone', pid: unmarked.pid, boot_id: boot, proc_start: startToken(unmarked.pid), marker: 'm-unmarked' });
  insertRow(home.db, { name: 'own', pid: own.pid, boot_id: boot, proc_start: startToken(own.pid), marker: 'm-own' });
  insertRow(home.db, { name: 'zombie', pid: zombie, boot_id: boot, proc_start: null, marker: null });
  insertRow(home.db, { name: 'remote', pid: stranger.pid, boot_id: 'another-boot', origin_device_id: 'other-device' });
  insertRow(home.db, { name: 'launch-stale', status: 'launching', boot_id: boot, created_at: now - 31_000 });
  insertRow(home.db, { name: 'launch-old-boot', status: 'launching', boot_id: 'an-earlier-boot', created_at: now });
  insertRow(home.db, { name: 'launch-fresh', status: 'launching', boot_id: boot, created_at: now });
  insertRow(home.db, { name: 'hook-only', pid: null, boot_id: boot, marker: null });
  // No token recorded: the process started long before the row, so it may be the row's (tracked)...
  insertRow(home.db, { name: 'no-token-older', pid: own.pid, boot_id: boot, proc_start: null, marker: null, created_at: now + 60_000 });
  // ...but a process that started more than 2 s after its row was written cannot be.
  insertRow(home.db, { name: 'no-token-younger', pid: stranger.pid, boot_id: boot, proc_start: null, marker: null, created_at: now - 3_600_000 });

  const dry = verdicts(cliJson<Report>(['reconcile', '--dry-run'], home.env));
  const report = verdicts(cliJson<Report>(['reconcile'], home.env));
  const expected: Record<string, [string, string | null, string]> = {
    'reused-token': ['dead', 'exit:pid-reused', 'stopped'],
    'marker-gone': ['dead', 'exit:marker-mismatch', 'stopped'],
    own: ['alive', null, 'kept'],
    zombie: ['dead', 'exit:gone', 'stopped'],
    remote: ['skipped', null, 'skipped'],
    'launch-stale': ['dead', 'exit:launch-failed', 'stopped'],
    'launch-old-boot': ['dead', 'exit:launch-failed', 'stopped'],
    'launch-fresh': ['skipped', null, 'skipped'],
    'hook-only': ['skipped', null, 'kept'],
    'no-token-older': ['alive', null, 'kept'],
    'no-token-younger': ['dead', 'exit:pid-reused', 'stopped'],
  };
  assert.deepEqual(report, expected);
  for (const [name, [verdict, reason, action]] of Object.entries(expected)) {
    assert.deepEqual(dry[name], [verdict, reason, action === 'stopped' ? 'would-stop' : action], `dry run of ${name}`);
  }
  assert.ok(isAlive(stranger.pid) && isAlive(unmarked.pid) && isAlive(own.pid), 'reconcile signals nobody');
  assert.deepEqual(
    rows(home.db).map((row) => row['name']),
    ['hook-only', 'launch-fresh', 'no-token-older', 'own', 'remote'],
  );
});

test('proc-root fixtures: a stranger on a recorded pid, and look-alike markers', () => {
  const home = makeHome();
  createDatabase(home);
  insertRow(home.db, { name: 'vim-took-it', pid: 4242, boot_id: fixtureBootId('pid-reused'), proc_start: 'linux:5000', marker: 'm' });
  const reused = cliJson<Report>(['reconcile', '--dry-run'], { ...home.env, LIFELINE_PROC_ROOT: procFixture('pid-reused') });
  assert.deepEqual(verdicts(reused)['vim-took-it'], ['dead', 'exit:pid-reused', 'would-stop']);

  const marker = '6f1c1d8e-5b8a-4f0e-9a51-0c6a1d2e3f40';
  insertRow(home.db, { name: 'lookalike', pid: 4242, boot_id: fixtureBootId('marker-lookalike'), proc_start: 'linux:123456', marker });
  const lookalike = cliJson<Report>(['reconcile', '--dry-run'], { ...home.env, LIFELINE_PROC_ROOT: procFixture('marker-lookalike') });
  assert.deepEqual(verdicts(lookalike)['lookalike'], ['dead', 'exit:marker-mismatch', 'would-stop']);
});
