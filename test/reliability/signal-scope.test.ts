import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, cli, cliJson } from '../helpers/cli.js';
import { events, insertRow, rows } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { bootId, cleanupLater, have, isAlive, startToken, waitFor } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

const isRoot = process.getuid?.() === 0;
const canNamespace = isRoot && have('unshare') && have('nsenter') && have('strace') && have('setsid');

/** The host pid of the first process of a new pid namespace (its pid 1), once it runs `sleep`. */
async function namespaceInit(unsharePid: number): Promise<number> {
  let found: number | null = null;
  await waitFor('the namespace init', () => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[1]) === unsharePid && stat.includes('(sleep)')) found = Number(entry);
      } catch {
        // Gone meanwhile.
      }
    }
    return found !== null;
  });
  return found!;
}

test(
  'a row on pid 1 is never signalled: stop refuses, records nothing, and strace sees no kill(-1) or kill(1)',
  { skip: canNamespace ? false : 'needs root, unshare, nsenter, strace and setsid (a throw-away pid namespace)' },
  async () => {
    const home = makeHome();
    createDatabase(home);
    // pid 1 of a throw-away namespace leads its own group and session, as init does: the worst case.
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'setsid', 'sleep', '300'], { stdio: 'ignore' });
    cleanupLater(unshare.pid);
    const init = await namespaceInit(unshare.pid!);
    cleanupLater(init);
    // A bystander in the namespace: a kill(-1) from lifeline in there would take it down.
    const bystander = spawn('nsenter', ['-t', String(init), '-p', '-m', 'sleep', '300'], { stdio: 'ignore' });
    cleanupLater(bystander.pid);
    const traces = mkdtempSync(join(tmpdir(), 'lifeline-test-'));
    try {
      for (const detached of [0, 1]) {
        const name = `init-${detached}`;
        insertRow(home.db, { name, pid: 1, boot_id: bootId(), proc_start: startToken(init), marker: null, detached });
        const trace = join(traces, `${name}.trace`);
        const result = spawnSync(
          'nsenter',
          ['-t', String(init), '-p', '-m', 'strace', '-f', '-qq', '-e', 'trace=kill', '-o', trace, process.execPath, CLI, 'stop', name, '--timeout', '1'],
          { env: home.env, encoding: 'utf8', timeout: 60_000 },
        );
        assert.equal(result.status, 1, result.stderr);
        assert.equal(result.stderr, `lifeline: ${name} is recorded on pid 1, which lifeline never signals; nothing was changed\n`);
        const kills = readFileSync(trace, 'utf8');
        assert.doesNotMatch(kills, /kill\(-1,|kill\(1,|kill\(0,/, kills);
      }
      assert.deepEqual(rows(home.db).map((row) => row['name']).sort(), ['init-0', 'init-1'], 'both rows stay');
      assert.deepEqual(events(home.db, 'life.stopped').map((e) => e.instance), ['seed'], 'no stop recorded');
      assert.equal(isAlive(init), true);
      assert.equal(isAlive(bystander.pid!), true, 'the bystander in the namespace is alive');

      const tracked = spawnSync('nsenter', ['-t', String(init), '-p', '-m', process.execPath, CLI, 'track', 'pid-one', '--pid', '1'], {
        env: home.env,
        encoding: 'utf8',
      });
      assert.equal(tracked.status, 1, tracked.stderr);
      assert.equal(tracked.stderr, 'lifeline: pid 1 is the system init; lifeline does not track it\n');
    } finally {
      rmSync(traces, { recursive: true, force: true });
      try {
        process.kill(init, 'SIGKILL'); // Ends the whole namespace.
      } catch {
        // Already gone.
      }
    }
  },
);

test('track refuses lifeline itself, its ancestors and kernel threads, and writes nothing', () => {
  const home = makeHome();
  createDatabase(home);
  const before = events(home.db).length;
  // The shell that runs lifeline is its parent: `$$` of `sh -c` is an ancestor of the lifeline it starts.
  const viaShell = spawnSync('sh', ['-c', `exec 3>&1; "$0" "$1" track myshell --pid $$; echo "rc=$?"`, process.execPath, CLI], {
    env: home.env,
    encoding: 'utf8',
  });
  assert.match(viaShell.stdout, /rc=1/);
  assert.match(viaShell.stderr, /^lifeline: pid \d+ is an ancestor of this lifeline process \(your shell or terminal\); lifeline does not track it\n$/);
  const self = cli(['track', 'me', '--pid', String(process.pid)], home.env);
  assert.equal(self.code, 1, 'the test runner is an ancestor of the lifeline it runs');
  assert.match(self.stderr, /is an ancestor of this lifeline process/);
  if (readFileSync('/proc/2/stat', 'utf8').includes('(kthreadd)')) {
    const kernel = cli(['track', 'kthread', '--pid', '2'], home.env);
    assert.equal(kernel.code, 1);
    assert.equal(kernel.stderr, 'lifeline: pid 2 is a kernel thread, not a program; lifeline does not track it\n');
  }
  assert.equal(events(home.db).length, before);
  assert.deepEqual(rows(home.db), []);
});

test('a process that leads a group lifeline did not create is signalled alone, never with its group', async () => {
  const home = makeHome();
  createDatabase(home);
  // It leads a group of its own (setsid) and carries the marker, but the row says lifeline did not
  // start it detached: the group is not lifeline's, so its other member must survive.
  const marker = 'marker-of-tracked';
  const leader = spawn('setsid', ['sh', '-c', 'env -u LIFELINE_INSTANCE_ID sleep 300 & echo $!; wait'], {
    env: { ...process.env, LIFELINE_INSTANCE_ID: marker },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  cleanupLater(leader.pid);
  const member = await new Promise<number>((resolve) => leader.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  cleanupLater(member);
  await waitFor('the leader to be sh', () => readFileSync(`/proc/${leader.pid}/stat`, 'utf8').includes('(sh)'));
  insertRow(home.db, { name: 'tracked', pid: leader.pid!, boot_id: bootId(), proc_start: startToken(leader.pid!), marker, detached: 0 });

  const [report] = cliJson<{ reason: string; signal: string }[]>(['stop', 'tracked', '--timeout', '2'], home.env);
  assert.deepEqual([report!.reason, report!.signal], ['stopped', 'terminated']);
  await waitFor('the leader to end', () => !isAlive(leader.pid!));
  assert.equal(isAlive(member), true, 'the other member of a group lifeline did not create is untouched');
});
