import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { cli, cliAsync } from '../helpers/cli.js';
import { events } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { cleanupLater, isAlive, waitFor } from '../helpers/processes.js';

/** Listening TCP sockets (state 0A) held by `pid`, as local `address:port` in hex, from /proc/net/tcp{,6}. */
function listeningSockets(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match !== null) inodes.add(match[1]!);
    } catch {
      // Closed meanwhile.
    }
  }
  const listening: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && inodes.has(fields[9]!)) listening.push(fields[1]!);
    }
  }
  return listening;
}

/** Whether anything on the machine listens on port 9229 (0x240D), the inspector's default. */
function anyoneOn9229(): boolean {
  return ['/proc/net/tcp', '/proc/net/tcp6'].some((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .some((line) => {
        const fields = line.trim().split(/\s+/);
        return fields[3] === '0A' && fields[1]?.endsWith(':240D');
      }),
  );
}

test('SIGUSR1 to a waiting lifeline opens no debugger, and the launch goes on unaffected', async () => {
  const home = makeHome();
  // The program waits for a file the test creates once it has checked lifeline: no race with a timer.
  const go = join(home.dir, 'go');
  const launch = cliAsync(['launch', 'usr1', '--', 'sh', '-c', 'while [ ! -e "$0" ]; do sleep 0.05; done', go], home.env);
  cleanupLater(launch.pid);
  await waitFor('the launch to be active', () => {
    const listed = cli(['list', '--json'], home.env);
    return listed.code === 0 && listed.stdout.includes('"running"');
  });
  const busyBefore = anyoneOn9229();
  for (let i = 0; i < 3; i++) {
    process.kill(launch.pid!, 'SIGUSR1');
    await sleep(150);
  }
  assert.equal(isAlive(launch.pid!), true, 'lifeline is still waiting');
  assert.deepEqual(listeningSockets(launch.pid!), [], 'lifeline listens on nothing');
  if (!busyBefore) assert.equal(anyoneOn9229(), false, 'nothing listens on 9229');
  writeFileSync(go, '');
  const result = await launch.done;
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /Debugger|inspector|ws:\/\//i);
  assert.deepEqual(events(home.db, "life.stopped").map((e) => e.data.reason), ['exit:code:0']);
});

test('SIGUSR1 to the supervisor of a detached program opens no debugger either', async () => {
  const home = makeHome();
  const launched = cli(['launch', 'usr1-detached', '--detach', '--', 'sleep', '300'], home.env);
  assert.equal(launched.code, 0, launched.stderr);
  const listed = JSON.parse(cli(['list', '--json'], home.env).stdout) as { pid: number }[];
  const program = listed[0]!.pid;
  cleanupLater(program);
  const stat = readFileSync(`/proc/${program}/stat`, 'utf8');
  const supervisor = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  // lifeline's waiter: a dash script where the machine has one (SPEC §12), else a Node supervisor.
  assert.match(readFileSync(`/proc/${supervisor}/cmdline`, 'utf8'), /node|lifeline-wait/, 'the program\'s parent is lifeline\'s waiter');
  process.kill(supervisor, 'SIGUSR1');
  await sleep(300);
  assert.equal(isAlive(supervisor), true);
  assert.deepEqual(listeningSockets(supervisor), []);
  assert.equal(cli(['stop', 'usr1-detached', '--timeout', '2'], home.env).code, 0);
  await waitFor('the waiter to end', () => !isAlive(supervisor));
  assert.deepEqual(events(home.db, 'life.stopped').map((e) => e.data.reason), ['stopped'], 'recorded once, as the user\'s stop');
});
