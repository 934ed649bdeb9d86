import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { events, rows } from './helpers/db.js';
import { ENTRY, exeOf, statFields } from './helpers/entry.js';
import { makeHome, type TestHome } from './helpers/home.js';
import { cleanupLater, have, isAlive, waitFor } from './helpers/processes.js';
import { TmuxShells } from './helpers/tmux-shells.js';

const ready = have('tmux') && have('bash') && have('dash') && have('setsid') && spawnSync('env', ['--default-signal=INT', 'true']).status === 0;
const skip = ready ? false : 'needs tmux, bash, dash, setsid and GNU env --default-signal';

/** A shell in a real terminal (a private tmux server) with lifeline's home in its environment. */
function terminal(home: TestHome, name: string): { tmux: TmuxShells; pane: string } {
  const tmux = new TmuxShells(home.env);
  const pane = tmux.shell(name, { LIFELINE_HOME: home.dir, PS1: '$ ', PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home.dir }, home.dir);
  return { tmux, pane };
}

function fileText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

async function activeRow(home: TestHome, name: string): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await waitFor(`${name} to be active`, () => {
    try {
      found = rows(home.db).find((row) => row['name'] === name && row['status'] === 'active');
    } catch {
      found = undefined;
    }
    return found !== undefined;
  }, 20_000);
  cleanupLater(Number(found!['pid']));
  return found!;
}

function reasons(home: TestHome, name: string): string[] {
  return events(home.db, 'life.stopped').filter((e) => e.instance === name).map((e) => String(e.data.reason));
}

test('keyboard input reaches the program, which runs under a dash waiter in the foreground group', { skip }, async () => {
  const home = makeHome();
  const { tmux, pane } = terminal(home, 'keys');
  const out = join(home.dir, 'got');
  const rc = join(home.dir, 'rc');
  tmux.type(pane, `${ENTRY} launch kb -- sh -c 'read line; echo "got:$line" > ${out}'; echo "rc=$?" > ${rc}`, 'Enter');
  const row = await activeRow(home, 'kb');
  const pid = Number(row['pid']);
  const fields = statFields(pid)!;
  assert.match(exeOf(Number(fields[1])) ?? '', /\/dash$/);
  assert.equal(fields[5], fields[2], "the program's group is the terminal's foreground group (tpgid)");
  tmux.type(pane, 'hello there', 'Enter');
  await waitFor('the rc file', () => fileText(rc) !== '');
  assert.equal(fileText(out), 'got:hello there\n');
  assert.equal(fileText(rc), 'rc=0\n');
  // The prompt is back before the helper's Node start has recorded the exit; every command sees it meanwhile.
  const listed = JSON.parse(cli(['list', '--all', '--json'], home.env).stdout) as { name: string; state?: string; reason?: string }[];
  assert.ok(listed.length === 1 && (listed[0]!.state === 'dead (exit:code:0)' || listed[0]!.reason === 'exit:code:0'), JSON.stringify(listed));
  await waitFor('the exit to be recorded', () => reasons(home, 'kb').length > 0);
  assert.deepEqual(reasons(home, 'kb'), ['exit:code:0']);
});

test('Ctrl-C: a program killed by SIGINT is exit:signal:SIGINT, one that exits 130 is exit:code:130; $? is 130 both times', { skip }, async () => {
  const home = makeHome();
  const { tmux, pane } = terminal(home, 'ctrlc');
  // Typed on its own line: bash drops the rest of a command line whose job died of SIGINT (with or without lifeline).
  const check = async (name: string, rcFile: string): Promise<void> => {
    await waitFor(`${name}'s exit`, () => reasons(home, name).length > 0);
    tmux.type(pane, `echo "rc=$?" > ${rcFile}`, 'Enter');
    await waitFor('the rc file', () => fileText(rcFile) !== '');
  };
  const rc = join(home.dir, 'rc');
  tmux.type(pane, `${ENTRY} launch killed -- sleep 30`, 'Enter');
  await activeRow(home, 'killed');
  tmux.type(pane, 'C-c');
  await check('killed', rc);
  assert.equal(fileText(rc), 'rc=130\n');
  assert.deepEqual(reasons(home, 'killed'), ['exit:signal:SIGINT']);

  const rc2 = join(home.dir, 'rc2');
  tmux.type(pane, `${ENTRY} launch handled -- sh -c 'trap "exit 130" INT; while :; do sleep 0.1; done'`, 'Enter');
  await activeRow(home, 'handled');
  await new Promise((resolve) => setTimeout(resolve, 300)); // Its trap is set.
  tmux.type(pane, 'C-c');
  await check('handled', rc2);
  assert.equal(fileText(rc2), 'rc=130\n');
  assert.deepEqual(reasons(home, 'handled'), ['exit:code:130']);
});

test('Ctrl-Z stops the program with its waiter, fg brings both back, and the exit is recorded once', { skip }, async () => {
  const home = makeHome();
  const { tmux, pane } = terminal(home, 'ctrlz');
  const out = join(home.dir, 'got');
  // Alone on its line: bash runs the rest of a list as soon as a job in it is stopped.
  tmux.type(pane, `${ENTRY} launch tz -- sh -c 'read line; echo "got:$line" > ${out}'`, 'Enter');
  const pid = Number((await activeRow(home, 'tz'))['pid']);
  tmux.type(pane, 'C-z');
  await waitFor('the program to stop', () => statFields(pid)?.[0] === 'T');
  const listed = JSON.parse(cli(['list', '--json'], home.env).stdout) as { name: string; state: string }[];
  assert.equal(listed[0]?.state, 'running', 'a stopped program is still the instance');
  tmux.type(pane, 'fg', 'Enter');
  await waitFor('the program to run again', () => statFields(pid)?.[0] === 'S');
  tmux.type(pane, 'after', 'Enter');
  await waitFor('the exit to be recorded', () => reasons(home, 'tz').length > 0);
  assert.equal(fileText(out), 'got:after\n');
  assert.deepEqual(reasons(home, 'tz'), ['exit:code:0']);
});

test('hang-up: closing the terminal ends the program with SIGHUP, recorded; under nohup it runs on', { skip }, async () => {
  const home = makeHome();
  const first = terminal(home, 'hup');
  first.tmux.type(first.pane, `${ENTRY} launch hup -- sleep 30`, 'Enter');
  const pid = Number((await activeRow(home, 'hup'))['pid']);
  first.tmux.run(['kill-server']);
  await waitFor('the exit to be recorded', () => reasons(home, 'hup').length > 0);
  assert.deepEqual(reasons(home, 'hup'), ['exit:signal:SIGHUP']);
  assert.equal(isAlive(pid), false);

  const second = terminal(home, 'nohup');
  second.tmux.type(second.pane, `nohup ${ENTRY} launch nh -- sleep 30 >/dev/null 2>&1`, 'Enter');
  const survivor = Number((await activeRow(home, 'nh'))['pid']);
  second.tmux.run(['kill-server']);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(isAlive(survivor), true, 'nohup keeps working');
  assert.deepEqual(reasons(home, 'nh'), []);
  assert.equal(cli(['stop', 'nh'], home.env).code, 0);
  await waitFor('the stop', () => !isAlive(survivor));
  assert.deepEqual(reasons(home, 'nh'), ['stopped']);
});

test('the terminal mode a program sets (raw, as a TUI does) is not undone by the helper that records its start', { skip }, async () => {
  const home = makeHome();
  const { tmux, pane } = terminal(home, 'raw');
  const out = join(home.dir, 'mode');
  // The program turns raw mode on a second in, as a TUI does once it has loaded. A Node process that
  // holds the terminal restores, when it exits, the mode it saw when it started: a start helper
  // that began before the switch and ends after it would turn the TUI's terminal back to cooked.
  tmux.type(pane, `${ENTRY} launch raw -- sh -c 'sleep 1; stty raw -echo; sleep 4; stty -a > ${out}; stty sane'`, 'Enter');
  await waitFor('raw to be reserved', () => {
    try {
      return rows(home.db).some((row) => row['name'] === 'raw');
    } catch {
      return false;
    }
  }, 20_000);
  // The write lock keeps the start helper waiting across the switch (its busy timeout is longer).
  const db = new Database(home.db, { timeout: 10_000 });
  db.exec('BEGIN IMMEDIATE');
  await new Promise((resolve) => setTimeout(resolve, 2500));
  db.exec('ROLLBACK');
  db.close();
  await activeRow(home, 'raw');
  await waitFor('the mode file', () => fileText(out) !== '', 20_000);
  assert.match(fileText(out), /(^|\s)-icanon(\s|$)/, 'still raw (no icanon) after the start was recorded');
  await waitFor('the exit to be recorded', () => reasons(home, 'raw').length === 1, 20_000);
});
