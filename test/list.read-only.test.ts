import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { dump, events } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { isAlive, waitFor } from './helpers/processes.js';

interface ListEntry {
  name: string;
  state: string;
  pid: number | null;
  memory: number | null;
}

function supervisorOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

test('launch → running; kill -9 of program and launcher → list shows dead (exit:gone) and changes nothing', async () => {
  const home = makeHome();
  const launched = cli(['launch', 'alice', '--detach', '--', 'sleep', '300'], home.env);
  assert.equal(launched.code, 0, launched.stderr);

  const [running] = cliJson<ListEntry[]>(['list'], home.env);
  assert.equal(running?.name, 'alice');
  assert.equal(running?.state, 'running');
  assert.ok(running?.pid !== null && running?.pid !== undefined && isAlive(running.pid));
  assert.ok((running?.memory ?? 0) > 0, 'memory comes from pidusage');

  // Both die at once, as in an OOM kill or power loss: nobody is left to record the end.
  const pid = running!.pid!;
  const supervisor = supervisorOf(pid);
  process.kill(supervisor, 'SIGKILL');
  process.kill(pid, 'SIGKILL');
  await waitFor('the program to be gone', () => !isAlive(pid) && !isAlive(supervisor));

  const before = dump(home.db);
  const [ghost] = cliJson<ListEntry[]>(['list'], home.env);
  assert.equal(ghost?.state, 'dead (exit:gone)');
  const human = cli(['list'], home.env);
  assert.match(human.stdout, /alice\s+dead \(exit:gone\)/);
  assert.equal(dump(home.db), before, 'list is read-only');
  assert.equal(events(home.db, 'life.stopped').length, 0);
});

test('list on a machine with no database creates nothing', () => {
  const home = makeHome();
  const result = cli(['list'], home.env);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /no instances/);
  assert.throws(() => readFileSync(home.db));
});
