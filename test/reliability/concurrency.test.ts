import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli, cliAsync, type CliResult } from '../helpers/cli.js';
import { events, insertBinding, insertRow, rows } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

interface Report {
  already_reconciled: boolean;
  results: { name: string; action: string }[];
}

const GHOSTS = 48;

test('16 reconciles started together after a boot: one pass, one life.stopped per ghost, no lock errors', async () => {
  const home = makeHome();
  createDatabase(home);
  for (let i = 0; i < GHOSTS; i++) {
    insertRow(home.db, { name: `ghost-${i}`, pid: 10_000 + i, boot_id: 'the-boot-before', proc_start: 'linux:1' });
    insertBinding(home.db, `ghost-${i}`, 'session', `s${i}`);
  }
  const runs: CliResult[] = await Promise.all(Array.from({ length: 16 }, () => cliAsync(['reconcile', '--json'], home.env).done));

  for (const run of runs) {
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.doesNotMatch(run.stdout, /locked|busy/i);
  }
  const reports = runs.map((run) => JSON.parse(run.stdout) as Report);
  const stoppedAcrossAll = reports.flatMap((report) => report.results.filter((r) => r.action === 'stopped'));
  assert.equal(stoppedAcrossAll.length, GHOSTS, 'the stop count across all outputs equals the ghost count');
  assert.equal(reports.filter((report) => !report.already_reconciled).length, 1, 'exactly one pass');
  const stopped = events(home.db, 'life.stopped').filter((e) => e.instance.startsWith('ghost-'));
  assert.equal(stopped.length, GHOSTS);
  assert.equal(new Set(stopped.map((e) => e.instance)).size, GHOSTS, 'one event per ghost, never two');
  assert.deepEqual(rows(home.db), []);
});

test('8 concurrent stops of one instance: one life.stopped, one winner', async () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'target', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const pid = Number(rows(home.db)[0]!['pid']);
  const runs = await Promise.all(Array.from({ length: 8 }, () => cliAsync(['stop', 'target', '--json'], home.env).done));
  const outcomes = runs.map((run) => {
    // A stop that finds the name already gone is either "already stopped" or "no instance named".
    if (run.code === 0) return (JSON.parse(run.stdout) as { action: string }[])[0]!.action;
    assert.equal(run.stderr, 'lifeline: target is not running (already stopped); lifeline r target brings it back\n');
    return 'unknown-by-then';
  });
  assert.equal(outcomes.filter((o) => o === 'stopped').length, 1, JSON.stringify(outcomes));
  await waitFor('the program to end', () => !isAlive(pid));
  await waitFor('the supervisor to record nothing more', () => rows(home.db).length === 0);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(events(home.db, 'life.stopped').length, 1);
});

test('two concurrent launches of one name: exactly one wins, the other gets a clear error', async () => {
  const home = makeHome();
  createDatabase(home);
  for (let trial = 0; trial < 5; trial++) {
    const name = `race-${trial}`;
    const [a, b] = await Promise.all([
      cliAsync(['launch', name, '--detach', '--', 'sleep', '300'], home.env).done,
      cliAsync(['launch', name, '--detach', '--', 'sleep', '300'], home.env).done,
    ]);
    const winners = [a!, b!].filter((run) => run.code === 0);
    const losers = [a!, b!].filter((run) => run.code !== 0);
    assert.equal(winners.length, 1, `trial ${trial}: ${a!.stderr} | ${b!.stderr}`);
    assert.equal(losers[0]!.code, 1);
    assert.match(losers[0]!.stderr, new RegExp(`^lifeline: ${name} (is running \\(pid \\d+\\)|is being launched right now); stop it first or pick another name\\n$`));
    assert.equal(events(home.db, 'life.started').filter((e) => e.instance === name).length, 1);
    assert.equal(cli(['stop', name], home.env).code, 0);
  }
});

test('a new database another connection holds a lock on: the first launch waits for it, then sets the database up', async () => {
  const home = makeHome();
  // The empty file a creator makes first, locked by someone else (a reader, another creator) while the launch sets it up.
  writeFileSync(home.db, '', { mode: 0o600 });
  const holder = new Database(home.db, { fileMustExist: true });
  holder.exec('BEGIN IMMEDIATE');
  const launch = cliAsync(['launch', 'first', '--', 'true'], home.env);
  await sleep(1_500);
  const waited = launch.exitCode === null;
  holder.exec('ROLLBACK');
  holder.close();
  const result = await launch.done;
  assert.ok(waited, `the launch ended while the lock was held: ${result.stderr}`);
  assert.equal(result.code, 0, result.stderr);
  const db = new Database(home.db, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  assert.deepEqual(events(home.db).map((e) => e.type), ['life.started', 'life.stopped']);
});
