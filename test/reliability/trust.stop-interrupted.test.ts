import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { cliAsync } from '../helpers/cli.js';
import { events, insertRow } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { bootId, cleanupLater, isAlive, startToken, waitFor } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

test('a stop that is recorded is carried through: Ctrl-C, SIGTERM or a hang-up of `lifeline stop` during the grace period leave no program running untracked', async () => {
  const home = makeHome();
  createDatabase(home);
  const marker = 'stubborn-marker';
  // Ignores SIGTERM: only the SIGKILL after the grace period ends it.
  const program = spawn('sh', ['-c', 'trap "" TERM; exec sleep 300'], { env: { ...process.env, LIFELINE_INSTANCE_ID: marker }, stdio: 'ignore' });
  cleanupLater(program.pid);
  await waitFor('sleep to run', () => readFileSync(`/proc/${program.pid}/stat`, 'utf8').includes('(sleep)'));
  insertRow(home.db, { name: 'stubborn', pid: program.pid!, boot_id: bootId(), proc_start: startToken(program.pid!), marker });
  const stop = cliAsync(['stop', 'stubborn', '--timeout', '2'], home.env);
  await waitFor('the stop to be recorded', () => events(home.db, 'life.stopped').some((e) => e.instance === 'stubborn'));
  await sleep(200);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) stop.kill(signal);
  const result = await stop.done;
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^stubborn: stopped \(stopped; killed\)\n$/);
  assert.equal(isAlive(program.pid!), false, 'the program did not outlive its recorded stop');
});
