import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cli, cliAsync, cliJson } from '../helpers/cli.js';
import { insertRow } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { bootId, cleanupLater, isAlive, startToken, waitFor } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';
import { descendantsOf, parsePidPpidLines } from '../../src/proc/parse.js';

/** Pids whose environ holds `LIFELINE_INSTANCE_ID=<marker>` and whose command is `sleep`. */
function sleepersWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (!readFileSync(`/proc/${entry}/stat`, 'utf8').includes('(sleep)')) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`LIFELINE_INSTANCE_ID=${marker}`)) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

test("stop of a foreground launch ends the program and every descendant carrying its marker: sh -c 'a & b & wait'", async () => {
  const home = makeHome();
  const launch = cliAsync(['launch', 'family', '--', 'sh', '-c', 'sleep 301 & sleep 302 & wait'], home.env);
  cleanupLater(launch.pid);
  let marker = '';
  await waitFor('the row to be active with two children', () => {
    const listed = cli(['list', '--json'], home.env);
    const entry = listed.code === 0 ? (JSON.parse(listed.stdout) as { name: string; state: string; pid: number }[])[0] : undefined;
    if (entry?.state !== 'running') return false;
    marker = readFileSync(`/proc/${entry.pid}/environ`, 'latin1').split('\0').find((e) => e.startsWith('LIFELINE_INSTANCE_ID='))!.slice(21);
    return sleepersWithMarker(marker).length === 2;
  });
  const children = sleepersWithMarker(marker);
  children.forEach(cleanupLater);

  const [report] = cliJson<{ reason: string; signal: string }[]>(['stop', 'family', '--timeout', '2'], home.env);
  assert.equal(report!.reason, 'stopped');
  await waitFor('both children to end', () => children.every((pid) => !isAlive(pid)), 5000);
  assert.equal(await launch.exited, 143, 'the launcher reports its program ended by SIGTERM');
});

test('stop of a tracked program ends its marked descendants, never an unmarked child or an unrelated process', async () => {
  const home = makeHome();
  createDatabase(home);
  const marker = 'tracked-family';
  // The program: a shell with two marked children, one child that dropped the marker, and a grandchild.
  const program = spawn('sh', ['-c', 'sleep 303 & env -u LIFELINE_INSTANCE_ID sleep 304 & sh -c "sleep 305 & wait" & wait'], {
    env: { ...process.env, LIFELINE_INSTANCE_ID: marker },
    stdio: 'ignore',
  });
  cleanupLater(program.pid);
  const bystander = spawn('sleep', ['306'], { env: { ...process.env, LIFELINE_INSTANCE_ID: marker }, stdio: 'ignore' }); // Marked, but not a descendant.
  cleanupLater(bystander.pid);
  await waitFor('three sleeps under the program', () => sleepersWithMarker(marker).length === 3);
  const marked = sleepersWithMarker(marker).filter((pid) => pid !== bystander.pid);
  marked.forEach(cleanupLater);
  const unmarked = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\u0000304\u0000';
      } catch {
        return false;
      }
    })!;
  cleanupLater(unmarked);
  insertRow(home.db, { name: 'tracked', pid: program.pid!, boot_id: bootId(), proc_start: startToken(program.pid!), marker, detached: 0 });

  const [report] = cliJson<{ reason: string; signal: string }[]>(['stop', 'tracked', '--timeout', '2'], home.env);
  assert.deepEqual([report!.reason, report!.signal], ['stopped', 'terminated']);
  await waitFor('the marked descendants to end', () => marked.every((pid) => !isAlive(pid)), 5000);
  assert.equal(isAlive(unmarked), true, 'a child without the marker is not the instance');
  assert.equal(isAlive(bystander.pid!), true, 'a marked process outside the tree is not signalled');
});

test('descendants are found through every generation of a pid → ppid map, and a cycle ends', () => {
  const parents = new Map([
    [10, 1],
    [11, 10],
    [12, 11],
    [13, 10],
    [20, 1],
    [30, 31],
    [31, 30],
  ]);
  assert.deepEqual(descendantsOf(parents, 10), [11, 13, 12]);
  assert.deepEqual(descendantsOf(parents, 20), []);
  assert.deepEqual(descendantsOf(parents, 30).sort(), [31]);
});

test('macOS: `ps -A -o pid=,ppid=` output parses into a parent map (fixtures/darwin/ps-pid-ppid.txt)', () => {
  const text = readFileSync(new URL('../../../fixtures/darwin/ps-pid-ppid.txt', import.meta.url), 'utf8');
  const parents = parsePidPpidLines(text);
  assert.equal(parents.get(1), 0);
  assert.equal(parents.get(4242), 4100);
  assert.deepEqual(descendantsOf(parents, 4242), [4243, 4244, 4245]);
});
