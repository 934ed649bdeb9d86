import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeHome } from './helpers/home.js';
import { cleanupLater, isAlive, waitFor } from './helpers/processes.js';
import { findLeftovers, killLeftovers, RUN_VARIABLE } from './suite/leftovers.js';

/** A detached `sleep` tagged as one run's, as a test process that escaped its cleanup would be. */
function tagged(runId: string, cwd = '/'): number {
  const child = spawn('sleep', ['60'], { detached: true, stdio: 'ignore', cwd, env: { PATH: process.env['PATH'], [RUN_VARIABLE]: runId } });
  child.unref();
  cleanupLater(child.pid);
  return child.pid!;
}

test("the leftover check finds this run's processes and temp entries, and only them", async () => {
  const runTmp = makeHome().dir;
  const ours = `check-${randomUUID()}`;
  const mine = tagged(ours);
  const theirs = tagged(`check-${randomUUID()}`); // Another suite running at the same time.
  const untagged = tagged('', runTmp); // An environment of its own, but working in this run's temp folder.
  mkdirSync(join(runTmp, 'lifeline-test-left'));

  const found = findLeftovers(ours, runTmp);
  assert.deepEqual(found.processes.map((p) => p.pid).sort(), [mine, untagged].sort());
  assert.match(found.processes.find((p) => p.pid === mine)!.command, /^sleep 60$/);
  assert.deepEqual(found.paths, [join(runTmp, 'lifeline-test-left')]);

  assert.equal(killLeftovers(found.processes, ours, runTmp), 2);
  await waitFor('the leftovers to end', () => !isAlive(mine) && !isAlive(untagged));
  assert.equal(isAlive(theirs), true, "another run's process is never touched");
});
