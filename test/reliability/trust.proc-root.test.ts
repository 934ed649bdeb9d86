import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, cli } from '../helpers/cli.js';
import { events, insertRow, rows } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { bootId, cleanupLater, have, isAlive, startSleeper, startToken, waitFor } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

const isRoot = process.getuid?.() === 0;
const canNamespace = isRoot && have('unshare') && have('strace');
const REFUSAL = /^lifeline: the proc root \(LIFELINE_PROC_ROOT\) shows another pid namespace than lifeline's own, so pid \d+ of [\w-]+ cannot be signalled safely; nothing was signalled or changed\n$/;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test(
  'a proc root that is another pid namespace: stop verifies the process there, signals nothing, says so, records nothing',
  { skip: canNamespace ? false : 'needs root, unshare and strace (a throw-away pid namespace)' },
  async () => {
    const home = makeHome();
    createDatabase(home);
    // Inside the namespace: init (a sleep) and, as its pid 2, a marked sleep — the instance as that proc root shows it.
    const unshare = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c', 'LIFELINE_INSTANCE_ID=ns-marker sleep 300 & exec sleep 301'], { stdio: 'ignore' });
    cleanupLater(unshare.pid);
    let init = 0;
    await waitFor('the namespace init', () => {
      for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          if (stat.includes('(sleep)') && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === unshare.pid) init = Number(entry);
        } catch {
          // Gone meanwhile.
        }
      }
      return init !== 0;
    });
    cleanupLater(init);
    try {
      const root = `/proc/${init}/root/proc`;
      await waitFor('pid 2 of the namespace', () => {
        try {
          return readFileSync(`${root}/2/environ`, 'latin1').includes('LIFELINE_INSTANCE_ID=ns-marker');
        } catch {
          return false;
        }
      });
      const stat = readFileSync(`${root}/2/stat`, 'utf8');
      const token = `linux:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
      // Pid 2 there is the marked sleep; pid 2 here is kthreadd. A signal would reach the wrong process.
      insertRow(home.db, { name: 'other-ns', pid: 2, boot_id: bootId(), proc_start: token, marker: 'ns-marker', argv: ['sleep'], cwd: '/' });
      const env = { ...home.env, LIFELINE_PROC_ROOT: root };
      const listed = cli(['list', '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.equal(JSON.parse(listed.stdout)[0].state, 'running', 'the proc root does verify the process as alive');

      const trace = join(tempDir(), 'kill.trace');
      const result = spawnSync('strace', ['-f', '-qq', '-e', 'trace=kill', '-o', trace, process.execPath, CLI, 'stop', 'other-ns', '--timeout', '1'], {
        env,
        encoding: 'utf8',
      });
      assert.equal(result.status, 1, result.stderr);
      assert.match(result.stderr, REFUSAL);
      assert.equal(readFileSync(trace, 'utf8').trim(), '', 'not one kill() of any kind');
      assert.deepEqual(rows(home.db).map((row) => row['name']), ['other-ns']);
      assert.deepEqual(events(home.db, 'life.stopped').map((e) => e.instance), ['seed']);
    } finally {
      try {
        process.kill(init, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  },
);

/** A proc root copied from the real one for one process: alive by every check, but with no `self` of ours. */
function copiedProcRoot(pid: number): string {
  const root = tempDir();
  mkdirSync(join(root, String(pid)));
  mkdirSync(join(root, 'sys/kernel/random'), { recursive: true });
  writeFileSync(join(root, 'sys/kernel/random/boot_id'), readFileSync('/proc/sys/kernel/random/boot_id'));
  writeFileSync(join(root, 'stat'), readFileSync('/proc/stat'));
  for (const file of ['stat', 'environ', 'cmdline']) writeFileSync(join(root, String(pid), file), readFileSync(`/proc/${pid}/${file}`));
  return root;
}

test('a proc root folder that names no self of ours signals nothing, even where its pid is a real process of ours', async () => {
  const home = makeHome();
  createDatabase(home);
  const sleeper = startSleeper(300, { env: { ...process.env, LIFELINE_INSTANCE_ID: 'copied-marker' } });
  await waitFor('sleep to run', () => readFileSync(`/proc/${sleeper.pid}/cmdline`, 'utf8').startsWith('sleep'));
  const root = copiedProcRoot(sleeper.pid);
  insertRow(home.db, { name: 'copied', pid: sleeper.pid, boot_id: bootId(), proc_start: startToken(sleeper.pid), marker: 'copied-marker' });
  const result = cli(['stop', 'copied', '--timeout', '1'], { ...home.env, LIFELINE_PROC_ROOT: root });
  assert.equal(result.code, 1, result.stderr + result.stdout);
  assert.match(result.stderr, REFUSAL);
  assert.equal(isAlive(sleeper.pid), true);
  assert.deepEqual(rows(home.db).map((row) => row['name']), ['copied']);

  // The same row through the real /proc is stopped as usual: the refusal is about the proc root only.
  const real = cli(['stop', 'copied', '--timeout', '1'], home.env);
  assert.equal(real.code, 0, real.stderr);
  await waitFor('the sleeper to end', () => !isAlive(sleeper.pid));
});
