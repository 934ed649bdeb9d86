import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI } from './helpers/cli.js';
import { events, insertBinding, insertRow, rows } from './helpers/db.js';
import { bootId, cleanupLater, have, isAlive, startToken, waitFor } from './helpers/processes.js';
import { homeWithPrivateTmux } from './helpers/seed.js';
import { windowsOf } from './helpers/tmux.js';
import type { RestoreJsonResult } from './helpers/restore.js';

const canReboot = process.getuid?.() === 0 && have('unshare') && have('nsenter') && have('tmux');

/**
 * A reboot as lifeline sees one: a private mount namespace where a file holding a new uuid is
 * bind-mounted over /proc/sys/kernel/random/boot_id. Every process started in it afterwards (lifeline,
 * the tmux server it starts, the programs in the windows) reads the new boot id; nothing else does.
 */
async function rebootedNamespace(dir: string): Promise<{ holder: number; bootId: string }> {
  const newBoot = randomUUID();
  const file = join(dir, 'boot_id');
  writeFileSync(file, `${newBoot}\n`);
  const holder = spawn('unshare', ['--mount', 'sh', '-c', `mount --bind '${file}' /proc/sys/kernel/random/boot_id && exec sleep 600`], { stdio: 'ignore' });
  cleanupLater(holder.pid);
  await waitFor('the namespace to be ready', () => {
    try {
      return readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() === 'sleep';
    } catch {
      return false;
    }
  });
  return { holder: holder.pid!, bootId: newBoot };
}

test(
  'after a reboot: r --all previews exactly, opens the right tmux windows, skips what it must; stop and the program’s own exit are recorded once',
  { skip: canReboot ? false : 'needs root, unshare, nsenter and tmux (a private mount namespace with a new boot id)' },
  async () => {
    const { home, tmux } = homeWithPrivateTmux();
    const folder = (name: string): string => {
      const path = join(home.dir, `project-${name}`);
      mkdirSync(path);
      return path;
    };
    const [a, b, c, d] = ['alice', 'bob', 'carol', 'dave'].map(folder) as [string, string, string, string];
    // Four instances of the boot before: two agents with sessions, one whose folder will be gone, one that comes back by itself.
    const before = bootId();
    const t0 = Date.now() - 60_000;
    insertRow(home.db, { name: 'alice', pid: 4242, boot_id: before, proc_start: 'linux:1', created_at: t0, cwd: a, argv: ['agent'], resume_argv: ['sh', '-c', 'echo "resumed $0"; exec sleep 300', '{session}'] });
    insertBinding(home.db, 'alice', 'session', 'sess-a');
    insertRow(home.db, { name: 'bob', pid: 4243, boot_id: before, proc_start: 'linux:1', created_at: t0 + 1, cwd: b, argv: ['agent'], resume_argv: ['sh', '-c', 'read line; exit 7', '{session}'] });
    insertBinding(home.db, 'bob', 'session', 'sess-b');
    insertRow(home.db, { name: 'carol', pid: 4244, boot_id: before, proc_start: 'linux:1', created_at: t0 + 2, cwd: c, argv: ['sleep', '300'] });
    insertRow(home.db, { name: 'dave', pid: 4245, boot_id: before, proc_start: 'linux:1', created_at: t0 + 3, cwd: d, argv: ['sleep', '300'], detached: 1 });

    const ns = await rebootedNamespace(home.dir);
    const inNs = (args: readonly string[], cwd = home.dir) => {
      const result = spawnSync('nsenter', ['-t', String(ns.holder), '-m', '--wd=' + cwd, process.execPath, CLI, ...args], { env: home.env, encoding: 'utf8', timeout: 60_000 });
      return { code: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
    };
    try {
      const reconciled = inNs(['reconcile']);
      assert.equal(reconciled.code, 0, reconciled.stderr);
      assert.match(reconciled.stdout, /alice: dead \(exit:reboot\); recorded as stopped; resume it with: lifeline r alice\n/);
      assert.ok(reconciled.stdout.endsWith('bring them all back with: lifeline r --all --tmux\n'), reconciled.stdout);
      const passStops = events(home.db, 'life.stopped').filter((e) => e.data.by === 'system');
      assert.deepEqual(passStops.map((e) => [e.instance, e.data.reason]), [['alice', 'exit:reboot'], ['bob', 'exit:reboot'], ['carol', 'exit:reboot'], ['dave', 'exit:reboot']]);

      // dave comes back by itself; carol's folder is gone.
      const relaunched = inNs(['launch', 'dave', '--detach', '--', 'sleep', '300'], d);
      assert.equal(relaunched.code, 0, relaunched.stderr);
      const davePid = Number(rows(home.db).find((row) => row['name'] === 'dave')!['pid']);
      cleanupLater(davePid);
      rmSync(c, { recursive: true });

      const preview = inNs(['r', '--all', '--dry-run']);
      assert.equal(preview.code, 0, preview.stderr);
      assert.equal(
        preview.stdout,
        [
          `alice: would resume in ${a} (session sess-a): sh -c 'echo "resumed $0"; exec sleep 300' sess-a`,
          `bob: would resume in ${b} (session sess-b): sh -c 'read line; exit 7' sess-b`,
          `carol: skipped (folder gone: ${c})`,
          `dave: skipped (running again, pid ${davePid})`,
          `dry run: 2 would resume, 2 skipped, 0 failed (what was running when boot ${before} ended); nothing was started`,
          '',
        ].join('\n'),
      );
      assert.deepEqual(windowsOf(tmux, 'lifeline'), [], 'a dry run opens nothing');
      assert.equal(inNs(['r', '--all']).code, 2, 'several programs need --tmux or --detach');

      const restored = inNs(['r', '--all', '--tmux', '--spacing', '0', '--json']);
      assert.equal(restored.code, 0, restored.stderr);
      const { results } = JSON.parse(restored.stdout) as { results: RestoreJsonResult[] };
      const pidOf = (name: string): number => Number(rows(home.db).find((row) => row['name'] === name)!['pid']);
      assert.deepEqual(results, [
        { name: 'alice', action: 'resumed', reason: null, pid: pidOf('alice'), where: 'lifeline:alice' },
        { name: 'bob', action: 'resumed', reason: null, pid: pidOf('bob'), where: 'lifeline:bob' },
        { name: 'carol', action: 'skipped', reason: `folder gone: ${c}`, pid: null, where: null },
        { name: 'dave', action: 'skipped', reason: `running again, pid ${davePid}`, pid: null, where: null },
      ]);
      for (const result of results) cleanupLater(result.pid ?? undefined);
      assert.deepEqual(windowsOf(tmux, 'lifeline'), [`alice|${a}`, `bob|${b}`], 'one window per resumed instance, named for it, in its folder');

      // The registered pid is the program's own: its command line, folder and marker.
      const alice = rows(home.db).find((row) => row['name'] === 'alice')!;
      await waitFor('alice to say it resumed', () => (tmux.tryRun(['capture-pane', '-p', '-t', '=lifeline:alice']) ?? '').includes('resumed sess-a'));
      // Its `sh` printed the session it was given, then exec'd itself into sleep: the same process.
      assert.deepEqual(readFileSync(`/proc/${alice['pid']}/cmdline`, 'utf8').split('\0'), ['sleep', '300', '']);
      assert.equal(startToken(Number(alice['pid'])), alice['proc_start']);
      assert.equal(readlinkSync(`/proc/${alice['pid']}/cwd`), a);
      assert.match(readFileSync(`/proc/${alice['pid']}/environ`, 'utf8'), new RegExp(`(^|\\0)LIFELINE_INSTANCE_ID=${alice['marker']}\\0`));
      assert.equal(alice['boot_id'], ns.bootId);
      const aliceBindings = JSON.parse(inNs(['show', 'alice', '--json']).stdout) as { bindings: { kind: string; value: string }[] };
      assert.deepEqual(aliceBindings.bindings, [{ kind: 'session', value: 'sess-a' }, { kind: 'tmux', value: 'lifeline:alice' }]);
      const started = events(home.db, 'life.started').filter((e) => e.instance === 'alice');
      assert.equal(started.at(-1)!.data.resumed_from, passStops[0]!.id);

      // A second r --all finds everything running again and starts nothing.
      const again = JSON.parse(inNs(['r', '--all', '--tmux', '--json']).stdout) as { results: RestoreJsonResult[] };
      assert.deepEqual(again.results.map((r) => [r.name, r.action]), [['alice', 'skipped'], ['bob', 'skipped'], ['carol', 'skipped'], ['dave', 'skipped']]);

      // stop works on a tmux instance: one life.stopped, by the user; the window closes with it.
      const stopped = inNs(['stop', 'alice', '--timeout', '5']);
      assert.equal(stopped.code, 0, stopped.stderr);
      await waitFor('alice’s window to close', () => !windowsOf(tmux, 'lifeline').some((w) => w.startsWith('alice|')));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const aliceStops = events(home.db, 'life.stopped').filter((e) => e.instance === 'alice' && e.id > passStops[0]!.id);
      assert.deepEqual(aliceStops.map((e) => [e.data.by, e.data.reason]), [['user', 'stopped']]);
      assert.equal(isAlive(Number(alice['pid'])), false);

      // bob's program ends by itself inside its window: recorded once, with its code, by its launcher.
      tmux.run(['send-keys', '-t', '=lifeline:bob', 'done', 'Enter']);
      await waitFor('bob’s exit to be recorded', () => !rows(home.db).some((row) => row['name'] === 'bob'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const bobStops = events(home.db, 'life.stopped').filter((e) => e.instance === 'bob' && e.id > passStops[1]!.id);
      assert.deepEqual(bobStops.map((e) => [e.data.by, e.data.reason]), [['self', 'exit:code:7']]);
      await waitFor('bob’s window to close', () => !windowsOf(tmux, 'lifeline').some((w) => w.startsWith('bob|')));

      // r NAME remembers the tmux window it ran in.
      const preview2 = inNs(['r', 'alice', '--dry-run']);
      assert.equal(preview2.stdout, `would run in tmux window lifeline:alice, in ${a}:\n  sh -c 'echo "resumed $0"; exec sleep 300' sess-a\n`);
      assert.equal(inNs(['stop', 'dave']).code, 0);
    } finally {
      try {
        process.kill(ns.holder, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  },
);
