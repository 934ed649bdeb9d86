import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli, cliAsync } from './helpers/cli.js';
import { events, rows } from './helpers/db.js';
import { entryAsync } from './helpers/entry.js';
import { makeHome, type TestHome } from './helpers/home.js';
import { cleanupLater, have, waitFor } from './helpers/processes.js';

const cheap = have('dash') && have('setsid') && spawnSync('env', ['--default-signal=INT', 'true']).status === 0;
const skip = cheap ? false : 'needs dash, setsid and GNU env --default-signal (the machine falls back to a Node parent)';

/** Processes of this home (their environment names its temp folder), by what they run. */
function processesOf(home: TestHome): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`LIFELINE_HOME=${home.dir}`)) continue;
      found.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/**
 * Looks every few milliseconds until this home has no process left, and returns every finish helper
 * seen (a Node start lives far longer than a look). The foreground program's start helper may still
 * be on its way out when the looking begins: it is not what stop saves.
 */
async function helpersUntilAllGone(home: TestHome, ignore: (cmdline: string) => boolean): Promise<string[]> {
  const seen = new Set<string>();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = processesOf(home).filter((p) => !ignore(p.cmdline));
    for (const p of now) if (p.cmdline.includes('waiter.cjs finish')) seen.add(p.cmdline);
    if (now.length === 0) return [...seen];
    if (Date.now() > deadline) throw new Error(`still running: ${JSON.stringify(now)}`);
    await sleep(3);
  }
}

function runFiles(home: TestHome): string[] {
  try {
    return readdirSync(join(home.dir, 'run')).filter((name) => !name.endsWith('.status'));
  } catch {
    return [];
  }
}

test('stop records the end and the dash waiters start no helper to record it again (stop --all of N is not N Node starts)', { skip }, async () => {
  const home = makeHome();
  for (const name of ['a', 'b', 'c']) assert.equal(cli(['launch', name, '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const foreground = entryAsync(['launch', 'fg', '--', 'sleep', '300'], home.env);
  cleanupLater(foreground.pid);
  await waitFor('four running', () => rows(home.db).filter((row) => row['status'] === 'active').length === 4);
  const stopping = cliAsync(['stop', '--all'], home.env);
  // The stop command itself is a Node process of this home too: it is not a helper.
  const helpers = await helpersUntilAllGone(home, (cmdline) => cmdline.includes(' stop --all'));
  const stopped = await stopping.done;
  assert.equal(stopped.code, 0, stopped.stderr);
  await foreground.exited;
  assert.deepEqual(helpers, [], 'no waiter started a helper');
  assert.deepEqual(
    events(home.db, 'life.stopped').map((e) => [e.instance, e.data.by, e.data.reason]).sort(),
    [['a', 'user', 'stopped'], ['b', 'user', 'stopped'], ['c', 'user', 'stopped'], ['fg', 'user', 'stopped']],
  );
  assert.deepEqual(runFiles(home), [], 'each waiter removed the word stop left it');
  assert.equal(foreground.signalCode, 'SIGTERM', 'the foreground entry still ends the way its program did');
});

test('a program that ends by itself is still recorded by its helper, and a word from stop no waiter came for is dropped later', { skip }, async () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'own', '--detach', '--', 'sh', '-c', 'sleep 0.3; exit 4'], home.env).code, 0);
  await waitFor('its own end to be recorded', () => events(home.db, 'life.stopped').length === 1);
  assert.deepEqual(events(home.db, 'life.stopped').map((e) => [e.data.by, e.data.reason]), [['self', 'exit:code:4']]);
  assert.deepEqual(runFiles(home), []);
  // stop's word for a waiter that had ended already: a writing command drops it once it is 10 minutes old.
  const stale = join(home.dir, 'run', '11111111-1111-4111-8111-111111111111.recorded');
  const fresh = join(home.dir, 'run', '22222222-2222-4222-8222-222222222222.recorded');
  writeFileSync(stale, '');
  writeFileSync(fresh, '');
  const hourAgo = new Date(Date.now() - 3_600_000);
  utimesSync(stale, hourAgo, hourAgo);
  assert.equal(cli(['reconcile', '--force'], home.env).code, 0);
  assert.deepEqual(runFiles(home), ['22222222-2222-4222-8222-222222222222.recorded']);
});
