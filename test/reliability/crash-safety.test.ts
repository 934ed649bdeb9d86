import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI, cli, cliAsync, cliJson } from '../helpers/cli.js';
import { rows, waitActive } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

const ROWS = 3000;
const TRIALS = 24;

/** A database with ROWS ghosts of an earlier boot, each with a binding, checkpointed into one file. */
function bigDatabase(home: ReturnType<typeof makeHome>): string {
  createDatabase(home);
  const db = new Database(home.db);
  const row = db.prepare(
    `INSERT INTO instances (name, status, pid, boot_id, proc_start, marker, created_at, argv, cwd) VALUES (?, 'active', ?, 'earlier-boot', 'linux:1', ?, ?, '["sleep","1"]', '/tmp')`,
  );
  const binding = db.prepare('INSERT INTO bindings (instance, kind, value, created_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < ROWS; i++) {
      row.run(`g${i}`, 100_000 + i, `m${i}`, Date.now());
      binding.run(`g${i}`, 'session', `s${i}`, Date.now());
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const template = join(home.dir, 'template.db');
  copyFileSync(home.db, template);
  return template;
}

function state(path: string): { integrity: string; rows: number; stopped: number; guard: string | null } {
  const db = new Database(path, { timeout: 10_000 });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      rows: db.prepare("SELECT count(*) FROM instances WHERE name LIKE 'g%'").pluck().get() as number,
      stopped: db.prepare("SELECT count(*) FROM events WHERE type = 'life.stopped' AND instance LIKE 'g%'").pluck().get() as number,
      guard: (db.prepare("SELECT value FROM kv WHERE key = 'reconcile.boot'").pluck().get() as string | undefined) ?? null,
    };
  } finally {
    db.close();
  }
}

test(`reconcile SIGKILLed at random moments of a ${ROWS}-row pass: all or nothing, never damage`, async () => {
  const home = makeHome();
  const template = bigDatabase(home);
  // How long an uninterrupted pass takes here, and how much of that is starting up (a dry run of an
  // empty database), so that most kills land inside the write transaction rather than before it.
  copyFileSync(template, home.db);
  let started = Date.now();
  assert.equal(cli(['reconcile', '--quiet'], home.env).code, 0);
  const passMs = Date.now() - started;
  const empty = makeHome();
  createDatabase(empty);
  started = Date.now();
  assert.equal(cli(['reconcile', '--dry-run'], empty.env).code, 0);
  const startupMs = Math.min(Date.now() - started, passMs * 0.8);

  let completed = 0;
  let untouched = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    copyFileSync(template, home.db);
    const child = spawn(process.execPath, [CLI, 'reconcile', '--quiet'], { env: home.env, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await sleep(Math.floor(startupMs * 0.8 + Math.random() * (passMs * 1.15 - startupMs * 0.8)));
    child.kill('SIGKILL');
    await exited;

    const after = state(home.db);
    assert.equal(after.integrity, 'ok', `trial ${trial}`);
    if (after.guard === null) {
      assert.deepEqual([after.rows, after.stopped], [ROWS, 0], `trial ${trial}: killed before commit leaves everything as it was`);
      untouched++;
    } else {
      assert.deepEqual([after.rows, after.stopped], [0, ROWS], `trial ${trial}: a committed pass stopped every ghost`);
      completed++;
    }
    // The next run always completes the job.
    const next = cli(['reconcile', '--quiet'], home.env);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual([state(home.db).rows, state(home.db).stopped], [0, ROWS]);
  }
  console.log(
    `crash-safety: ${TRIALS} trials over a ${passMs} ms pass (startup ${startupMs} ms): ${untouched} killed before commit, ${completed} after; 0 partial, 0 damaged`,
  );
});

test('a foreground launcher SIGKILLed while its program runs: alive while the program lives, exit:gone after', async () => {
  const home = makeHome();
  const launcher = cliAsync(['launch', 'orphan', '--', 'sleep', '300'], home.env);
  await waitActive(home.db);
  const pid = Number(rows(home.db)[0]!['pid']);
  launcher.kill('SIGKILL');
  await launcher.exited;
  assert.equal(isAlive(pid), true, 'the program outlives its launcher');

  type Entry = { name: string; state: string };
  assert.deepEqual(cliJson<Entry[]>(['list'], home.env).map((e) => [e.name, e.state]), [['orphan', 'running']]);
  const report = cliJson<{ results: { verdict: string }[] }>(['reconcile', '--dry-run'], home.env);
  assert.equal(report.results[0]!.verdict, 'alive');

  process.kill(pid, 'SIGKILL');
  await waitFor('the program to be gone', () => !isAlive(pid));
  assert.deepEqual(cliJson<Entry[]>(['list'], home.env).map((e) => [e.name, e.state]), [['orphan', 'dead (exit:gone)']]);
  const done = cliJson<{ results: { reason: string; action: string }[] }>(['reconcile'], home.env);
  assert.deepEqual(done.results.map((r) => [r.reason, r.action]), [['exit:gone', 'stopped']]);
});
