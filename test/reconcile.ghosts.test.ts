import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { dump, events, insertBinding, insertRow, kv, rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { bootId, isAlive, startSleeper, startToken } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';
import { existsSync } from 'node:fs';

interface Report {
  boot_id: string;
  already_reconciled: boolean;
  dry_run: boolean;
  results: { name: string; pid: number | null; verdict: string; reason: string | null; action: string }[];
}

/** A row whose process was killed with -9 along with its launcher: a real ghost of this boot. */
async function ghostOfThisBoot(home: ReturnType<typeof makeHome>, name: string): Promise<number> {
  const victim = startSleeper();
  const token = startToken(victim.pid);
  insertRow(home.db, { name, pid: victim.pid, boot_id: bootId(), proc_start: token, marker: null, cwd: home.dir });
  insertBinding(home.db, name, 'session', `sess-${name}`);
  const exited = new Promise((resolve) => victim.once('exit', resolve));
  victim.kill('SIGKILL');
  await exited;
  return victim.pid;
}

test('dry run gives verdicts and writes nothing: no events, no deletes, no guard, no stamp', async () => {
  const home = makeHome();
  createDatabase(home);
  const pid = await ghostOfThisBoot(home, 'alice');
  const before = dump(home.db);

  const report = cliJson<Report>(['reconcile', '--dry-run'], home.env);
  assert.equal(report.dry_run, true);
  assert.equal(report.already_reconciled, false);
  assert.deepEqual(report.results, [{ name: 'alice', pid, verdict: 'dead', reason: 'exit:gone', action: 'would-stop' }]);
  assert.equal(dump(home.db), before);
  assert.equal(existsSync(`${home.dir}/boot.stamp`), false);
});

test('reconcile writes exactly one life.stopped with the full snapshot, and removes row and bindings', async () => {
  const home = makeHome();
  createDatabase(home);
  const pid = await ghostOfThisBoot(home, 'alice');
  const keeper = startSleeper();
  insertRow(home.db, { name: 'keeper', pid: keeper.pid, boot_id: bootId(), proc_start: startToken(keeper.pid), marker: null });

  const report = cliJson<Report>(['reconcile'], home.env);
  assert.equal(report.boot_id, bootId());
  assert.deepEqual(
    report.results.sort((a, b) => a.name.localeCompare(b.name)),
    [
      { name: 'alice', pid, verdict: 'dead', reason: 'exit:gone', action: 'stopped' },
      { name: 'keeper', pid: keeper.pid, verdict: 'alive', reason: null, action: 'kept' },
    ],
  );

  const stopped = events(home.db, 'life.stopped').filter((event) => event.instance === 'alice');
  assert.equal(stopped.length, 1);
  const data = stopped[0]!.data;
  assert.equal(data.by, 'system');
  assert.equal(data.reason, 'exit:gone');
  const snapshot = data.snapshot!;
  for (const column of ['name', 'status', 'pid', 'boot_id', 'proc_start', 'marker', 'created_at', 'origin_device_id', 'argv', 'cwd', 'resume_argv', 'tag', 'detached']) {
    assert.ok(column in snapshot, `snapshot has ${column}`);
  }
  assert.deepEqual(snapshot['argv'], ['sleep', '300'], 'argv is a JSON array, not a string');
  assert.equal(snapshot['pid'], pid);
  assert.deepEqual(snapshot['bindings'], [{ kind: 'session', value: 'sess-alice' }]);

  assert.deepEqual(rows(home.db).map((row) => row['name']), ['keeper']);
  assert.equal(isAlive(keeper.pid), true, 'a live instance is kept and never signalled');
  assert.equal(kv(home.db, 'reconcile.boot'), bootId());
});

test('--quiet prints one line per stopped instance with the resume hint, and nothing otherwise', async () => {
  const home = makeHome();
  createDatabase(home);
  await ghostOfThisBoot(home, 'alice');
  const first = cli(['reconcile', '--quiet'], home.env);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(first.stdout.trim().split('\n'), ['lifeline: alice is not running (exit:gone); resume it with: lifeline r alice']);
  const second = cli(['reconcile', '--quiet'], home.env);
  assert.equal(second.stdout, '');
  assert.equal(second.stderr, '');
});

test('reconcile with no database creates none, but writes the stamp for the shell snippet', () => {
  const home = makeHome();
  const result = cli(['reconcile', '--quiet'], home.env);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(existsSync(home.db), false);
  const dry = cliJson<Report>(['reconcile', '--dry-run'], home.env);
  assert.deepEqual(dry.results, []);
  assert.equal(existsSync(home.db), false);
});
