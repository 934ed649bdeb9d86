import assert from 'node:assert/strict';
import { test } from 'node:test';
import { events, rows } from './helpers/db.js';
import { ENTRY } from './helpers/entry.js';
import { bootMachine, canBoot, type Machine } from './helpers/machine.js';
import { have, waitFor } from './helpers/processes.js';
import { homeWithPrivateTmux } from './helpers/seed.js';

/** A program that answers TERM and HUP with its own exit 0, as bash in a tmux pane does. */
const OWN_EXIT = ['sh', '-c', 'trap "exit 0" TERM HUP; sleep 300 & wait'];

function pidOf(db: string, name: string): number {
  const row = rows(db).find((r) => r['name'] === name);
  assert.ok(row !== undefined && row['status'] === 'active', `${name} is running`);
  return Number(row['pid']);
}

/** The pid of a program's parent (its watcher), as the machine sees it. */
function parentOf(machine: Machine, pid: number): number {
  const stat = machine.run(['cat', `/proc/${pid}/stat`]).stdout;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** SIGTERM to one process of the machine, by its pid there. */
function term(machine: Machine, pid: number): void {
  const result = machine.run(['kill', '-TERM', String(pid)]);
  assert.equal(result.code, 0, result.stderr);
}

function reasons(db: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const event of events(db, 'life.stopped')) (out[event.instance] ??= []).push(String(event.data.reason));
  return out;
}

test(
  'a TERM to every process at once records exit:shutdown for every kind of watcher; a program killed alone, lifeline stop and a late TERM keep their reasons',
  { timeout: 120_000, skip: canBoot && have('tmux') ? false : 'needs root, unshare, nsenter and tmux (a throw-away pid namespace)' },
  async () => {
    const { home } = homeWithPrivateTmux();
    const machine = await bootMachine(home.dir, home.env);
    const node = { ...home.env, LIFELINE_WAITER: 'node' };
    const launched = (result: { code: number | null; stderr: string }): void => assert.equal(result.code, 0, result.stderr);
    try {
      launched(machine.lifeline(['launch', 'dash-detached', '--detach', '--', 'sleep', '300']));
      launched(machine.lifeline(['launch', 'own-exit', '--detach', '--', ...OWN_EXIT]));
      launched(machine.lifeline(['launch', 'node-detached', '--detach', '--', 'sleep', '300'], { env: node }));
      launched(machine.lifeline(['launch', 'in-tmux', '--tmux=work', '--', ...OWN_EXIT]));
      const foreground = machine.start([ENTRY, 'launch', 'dash-foreground', '--', 'sleep', '300']);
      const nodeForeground = machine.start([ENTRY, 'launch', 'node-foreground', '--', 'sleep', '300'], { env: node });
      launched(machine.lifeline(['launch', 'killed-alone', '--detach', '--', 'sleep', '300']));
      launched(machine.lifeline(['launch', 'stopped', '--detach', '--', 'sleep', '300']));
      launched(machine.lifeline(['launch', 'watcher-termed', '--detach', '--', 'sleep', '300']));
      launched(machine.lifeline(['launch', 'program-first', '--detach', '--', 'sleep', '300']));
      await waitFor('the foreground programs to start', () => rows(home.db).filter((r) => String(r['name']).endsWith('-foreground') && r['status'] === 'active').length === 2);

      // The program alone gets TERM (kill PID): its own signal, once its watcher saw no TERM of its own.
      term(machine, pidOf(home.db, 'killed-alone'));
      launched(machine.lifeline(['stop', 'stopped']));
      // TERM to the watcher alone (a `kill` of lifeline's own process, or `timeout`): it passes it on, and the end reads as a shutdown.
      term(machine, parentOf(machine, pidOf(home.db, 'watcher-termed')));
      // The program first, its watcher 0.3 s later: still one going-down.
      const first = pidOf(home.db, 'program-first');
      const firstWatcher = parentOf(machine, first);
      term(machine, first);
      await new Promise((resolve) => setTimeout(resolve, 300));
      term(machine, firstWatcher);
      await waitFor('the single ends to be recorded', () => ['killed-alone', 'watcher-termed', 'program-first'].every((name) => !rows(home.db).some((r) => r['name'] === name)), 15_000);
      assert.deepEqual(reasons(home.db)['killed-alone'], ['exit:signal:SIGTERM']);
      assert.deepEqual(reasons(home.db)['stopped'], ['stopped']);
      assert.deepEqual(reasons(home.db)['watcher-termed'], ['exit:shutdown']);
      assert.deepEqual(reasons(home.db)['program-first'], ['exit:shutdown']);

      machine.terminateAll();
      const all = ['dash-detached', 'own-exit', 'node-detached', 'in-tmux', 'dash-foreground', 'node-foreground'];
      await waitFor('every watcher to record its program', () => rows(home.db).filter((r) => r['name'] !== 'seed').length === 0, 15_000);
      await Promise.all([foreground, nodeForeground].map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)))));
      const got = reasons(home.db);
      for (const name of all) assert.deepEqual(got[name], ['exit:shutdown'], `${name}: recorded once, as a shutdown`);
    } finally {
      await machine.powerOff();
    }
  },
);
