import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { events, rows } from './helpers/db.js';
import { entry, entryAsync, exeOf, statFields } from './helpers/entry.js';
import { makeHome } from './helpers/home.js';
import { cleanupLater, have, waitFor } from './helpers/processes.js';

const cheap = have('dash') && have('setsid') && spawnSync('env', ['--default-signal=INT', 'true']).status === 0;

test('doctor says what waits: the dash waiter, or the Node fallback and why', () => {
  const home = makeHome();
  const here = JSON.parse(cli(['doctor', '--json'], home.env).stdout) as { waiting: { kind: string; text: string } };
  assert.equal(here.waiting.kind, cheap ? 'sh' : 'node');
  const forced = JSON.parse(cli(['doctor', '--json'], { ...home.env, LIFELINE_WAITER: 'node' }).stdout) as { waiting: { kind: string; text: string } };
  assert.deepEqual(forced.waiting, { kind: 'node', text: 'a Node process, about 45 MiB per running program (fallback: LIFELINE_WAITER=node)' });
  assert.match(cli(['doctor'], home.env).stdout, /^ {3}waiting {8}a (dash waiter|Node process)/m);
});

test('the Node fallback: the entry and --detach still launch, record and wait, with a Node parent', async () => {
  const home = makeHome({ LIFELINE_WAITER: 'node' });
  const result = entry(['launch', 'fg', '--', 'sh', '-c', 'exit 5'], home.env);
  assert.equal(result.code, 5, result.stderr);
  assert.deepEqual(events(home.db, 'life.stopped').map((e) => e.data.reason), ['exit:code:5']);

  const launcher = entryAsync(['launch', 'parent', '--', 'sleep', '30'], home.env);
  cleanupLater(launcher.pid);
  let pid = 0;
  await waitFor('the row', () => {
    try {
      pid = Number(rows(home.db).find((row) => row['status'] === 'active')?.['pid'] ?? 0);
    } catch {
      pid = 0;
    }
    return pid > 0;
  });
  cleanupLater(pid);
  assert.match(exeOf(Number(statFields(pid)![1])) ?? '', /node/, 'Node is the parent');
  assert.equal(cli(['stop', 'parent'], home.env).code, 0);
  await launcher.exited;

  // A detached program that fails at once is said to have failed (exit 1), with its reason.
  const detached = cli(['launch', 'bg', '--detach', '--', 'sh', '-c', 'echo out; exit 4'], home.env);
  assert.deepEqual([detached.code, detached.stderr], [1, `lifeline: bg ended at once (exit:code:4); its output: ${home.dir}/logs/bg.log (lifeline logs bg)\n`]);
  await waitFor('the exit', () => events(home.db, 'life.stopped').some((e) => e.instance === 'bg'));
  assert.equal(events(home.db, 'life.stopped').find((e) => e.instance === 'bg')!.data.reason, 'exit:code:4');
  assert.equal(readFileSync(`${home.dir}/logs/bg.log`, 'utf8'), 'out\n');
});
