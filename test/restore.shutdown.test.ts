import assert from 'node:assert/strict';
import { test } from 'node:test';
import { events, rows, setKv } from './helpers/db.js';
import type { TestHome } from './helpers/home.js';
import { bootMachine, canBoot, type Machine } from './helpers/machine.js';
import { have, waitFor } from './helpers/processes.js';
import type { RestoreJsonResult } from './helpers/restore.js';
import { homeWithPrivateTmux } from './helpers/seed.js';

/** A program that answers TERM and HUP with its own exit 0, as bash in a tmux pane does. */
const OWN_EXIT = ['sh', '-c', 'trap "exit 0" TERM HUP; sleep 300 & wait'];

interface ReconcileJson {
  boot_id: string;
  results: { name: string; pid: number | null; verdict: string; reason: string | null; action: string }[];
}

function ok(result: { code: number | null; stdout: string; stderr: string }): string {
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

function pidOf(home: TestHome, name: string): number {
  return Number(rows(home.db).find((row) => row['name'] === name)!['pid']);
}

function live(home: TestHome): string[] {
  return rows(home.db)
    .map((row) => String(row['name']))
    .sort();
}

/** The boot's programs, one of each kind of watcher; plus one killed by hand and one stopped, which are not left running at the end. */
async function runABoot(machine: Machine, home: TestHome): Promise<Record<string, number>> {
  ok(machine.lifeline(['launch', 'alpha', '--detach', '--', 'sleep', '300']));
  ok(machine.lifeline(['launch', 'beta', '--detach', '--', ...OWN_EXIT], { env: { ...home.env, LIFELINE_WAITER: 'node' } }));
  ok(machine.lifeline(['launch', 'gamma', '--tmux=work', '--', ...OWN_EXIT]));
  ok(machine.lifeline(['launch', 'by-hand', '--detach', '--', 'sleep', '300']));
  ok(machine.lifeline(['launch', 'stopped', '--detach', '--', 'sleep', '300']));
  const pids = Object.fromEntries(['alpha', 'beta', 'gamma'].map((name) => [name, pidOf(home, name)]));
  ok(machine.run(['kill', '-TERM', String(pidOf(home, 'by-hand'))]));
  ok(machine.lifeline(['stop', 'stopped']));
  await waitFor('by-hand’s end to be recorded', () => !live(home).includes('by-hand'));
  assert.deepEqual(live(home), ['alpha', 'beta', 'gamma']);
  return pids;
}

test(
  'a graceful shutdown is a reboot too: the next boot’s first reconcile names what ended with it, and r --all brings it back; a logout’s set then takes its place',
  { timeout: 120_000, skip: canBoot && have('tmux') ? false : 'needs root, unshare, nsenter and tmux (throw-away pid namespaces with their own boot id)' },
  async () => {
    const { home } = homeWithPrivateTmux();
    const before = await bootMachine(home.dir, home.env);
    let pids: Record<string, number>;
    try {
      pids = await runABoot(before, home);
      // The shutdown: SIGTERM to every process of the session at once (programs, waiters, tmux server).
      before.terminateAll();
      await waitFor('every watcher to record its program', () => live(home).length === 0, 15_000);
    } finally {
      await before.powerOff();
    }
    const reasons = Object.fromEntries(events(home.db, 'life.stopped').map((e) => [e.instance, e.data.reason]));
    assert.deepEqual(reasons, { seed: 'exit:code:0', 'by-hand': 'exit:signal:SIGTERM', stopped: 'stopped', alpha: 'exit:shutdown', beta: 'exit:shutdown', gamma: 'exit:shutdown' });

    const after = await bootMachine(home.dir, home.env);
    try {
      const json = JSON.parse(ok(after.lifeline(['reconcile', '--json']))) as ReconcileJson;
      assert.equal(json.boot_id, after.bootId);
      assert.deepEqual(
        json.results,
        ['alpha', 'beta', 'gamma'].map((name) => ({ name, pid: pids[name], verdict: 'dead', reason: 'exit:shutdown', action: 'ended-with-boot' })),
      );
      assert.deepEqual(JSON.parse(ok(after.lifeline(['reconcile', '--json']))).results, [], 'only the first reconcile of a boot names them');
      // The same first reconcile, as the shell snippet runs it and as a person runs it.
      setKv(home.db, 'reconcile.boot', before.bootId);
      assert.equal(
        ok(after.lifeline(['reconcile', '--quiet'])),
        [
          'lifeline: alpha is not running (exit:shutdown); resume it with: lifeline r alpha',
          'lifeline: beta is not running (exit:shutdown); resume it with: lifeline r beta',
          'lifeline: gamma is not running (exit:shutdown); resume it with: lifeline r gamma',
          'lifeline: bring them all back with: lifeline r --all --tmux',
          '',
        ].join('\n'),
      );
      setKv(home.db, 'reconcile.boot', before.bootId);
      assert.equal(
        ok(after.lifeline(['reconcile'])),
        [
          'alpha: ended with the last boot (exit:shutdown); resume it with: lifeline r alpha',
          'beta: ended with the last boot (exit:shutdown); resume it with: lifeline r beta',
          'gamma: ended with the last boot (exit:shutdown); resume it with: lifeline r gamma',
          `reconciled boot ${after.bootId}: 0 stopped, 3 ended with the last boot, 0 kept, 0 skipped`,
          'bring them all back with: lifeline r --all --tmux',
          '',
        ].join('\n'),
      );

      const restored = JSON.parse(ok(after.lifeline(['r', '--all', '--tmux=back', '--spacing', '0', '--json']))) as { results: RestoreJsonResult[] };
      assert.deepEqual(
        restored.results.map((r) => [r.name, r.action, r.where]),
        [['alpha', 'resumed', 'back:alpha'], ['beta', 'resumed', 'back:beta'], ['gamma', 'resumed', 'back:gamma']],
      );
      assert.deepEqual(live(home), ['alpha', 'beta', 'gamma']);

      // A logout within this boot: its set is newer than the last boot's, and takes its place.
      // gamma is ended by hand before the logout, once it has run past its settle time (and the 1.5 s a
      // watcher may take to record an end): a life that ended by itself sooner would not have come back.
      await new Promise((resolve) => setTimeout(resolve, 1600));
      ok(after.run(['kill', '-TERM', String(pidOf(home, 'gamma'))]));
      await waitFor('gamma’s end to be recorded', () => !live(home).includes('gamma'));
      after.terminateAll();
      await waitFor('the logout to be recorded', () => live(home).length === 0, 15_000);
      const again = JSON.parse(ok(after.lifeline(['r', '--all', '--dry-run', '--json']))) as { results: RestoreJsonResult[] };
      assert.deepEqual(again.results.map((r) => [r.name, r.action]), [['alpha', 'would-resume'], ['beta', 'would-resume']]);
      assert.match(ok(after.lifeline(['r', '--all', '--dry-run'])), new RegExp(`\\(what was running when boot ${after.bootId} ended\\)`));
      // The last ended boot is still there to ask for by its id.
      const older = JSON.parse(ok(after.lifeline(['r', '--all', '--dry-run', '--boot', before.bootId, '--json']))) as { results: RestoreJsonResult[] };
      assert.deepEqual(older.results.map((r) => [r.name, r.action]), [['alpha', 'skipped'], ['beta', 'skipped'], ['gamma', 'skipped']]);
    } finally {
      await after.powerOff();
    }
  },
);

test(
  'a hard end (everything killed at once) and a kill -9 within the boot: ghosts make the set, and a forced pass’s ghosts take its place',
  { timeout: 120_000, skip: canBoot && have('tmux') ? false : 'needs root, unshare, nsenter and tmux (throw-away pid namespaces with their own boot id)' },
  async () => {
    const { home } = homeWithPrivateTmux();
    const before = await bootMachine(home.dir, home.env);
    try {
      await runABoot(before, home);
    } finally {
      await before.powerOff(); // No watcher lives to record anything: three ghosts.
    }
    assert.deepEqual(live(home), ['alpha', 'beta', 'gamma']);

    const after = await bootMachine(home.dir, home.env);
    try {
      const human = ok(after.lifeline(['reconcile']));
      assert.match(human, /^alpha: dead \(exit:reboot\); recorded as stopped; resume it with: lifeline r alpha\n/);
      assert.ok(human.endsWith('bring them all back with: lifeline r --all --tmux\n'), human);
      const preview = JSON.parse(ok(after.lifeline(['r', '--all', '--dry-run', '--json']))) as { results: RestoreJsonResult[] };
      assert.deepEqual(preview.results.map((r) => [r.name, r.action]), [['alpha', 'would-resume'], ['beta', 'would-resume'], ['gamma', 'would-resume']]);
      const restored = JSON.parse(ok(after.lifeline(['r', '--all', '--detach', '--spacing', '0', '--json']))) as { results: RestoreJsonResult[] };
      assert.deepEqual(restored.results.map((r) => r.action), ['resumed', 'resumed', 'resumed']);

      // kill -9 of beta and its watcher: a ghost of this boot, which only a forced pass stops.
      const beta = pidOf(home, 'beta');
      ok(after.run(['sh', '-c', `kill -KILL $(cut -d' ' -f4 /proc/${beta}/stat) ${beta}`]));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const forced = JSON.parse(ok(after.lifeline(['reconcile', '--force', '--json']))) as ReconcileJson;
      assert.deepEqual(forced.results.filter((r) => r.action !== 'kept').map((r) => [r.name, r.reason, r.action]), [['beta', 'exit:gone', 'stopped']]);
      const newer = JSON.parse(ok(after.lifeline(['r', '--all', '--dry-run', '--json']))) as { results: RestoreJsonResult[] };
      assert.deepEqual(newer.results.map((r) => [r.name, r.action]), [['beta', 'would-resume']]);
      ok(after.lifeline(['stop', '--all']));
    } finally {
      await after.powerOff();
    }
  },
);
