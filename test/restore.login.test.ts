import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli } from './helpers/cli.js';
import { insertRow, rows } from './helpers/db.js';
import { cleanupLater, have, isAlive } from './helpers/processes.js';
import { homeWithPrivateTmux } from './helpers/seed.js';
import { windowsOf } from './helpers/tmux.js';

test(
  'reconcile --restore (the restoring login item) brings the last boot back in tmux session lifeline, and leaves the first terminal a notice saying where',
  { skip: have('tmux') ? false : 'needs tmux' },
  () => {
    const { home, tmux } = homeWithPrivateTmux();
    const t0 = Date.now() - 60_000;
    const folders = ['api', 'web'].map((name) => {
      const folder = join(home.dir, name);
      mkdirSync(folder);
      return folder;
    });
    // Two programs of an earlier boot, and one whose folder is gone.
    insertRow(home.db, { name: 'api', pid: 4242, boot_id: 'an-earlier-boot', proc_start: 'linux:1', created_at: t0, cwd: folders[0]!, argv: ['sleep', '300'] });
    insertRow(home.db, { name: 'web', pid: 4243, boot_id: 'an-earlier-boot', proc_start: 'linux:1', created_at: t0 + 1, cwd: folders[1]!, argv: ['sleep', '300'] });
    insertRow(home.db, { name: 'gone', pid: 4244, boot_id: 'an-earlier-boot', proc_start: 'linux:1', created_at: t0 + 2, cwd: join(home.dir, 'nowhere'), argv: ['sleep', '300'] });

    const login = cli(['reconcile', '--quiet', '--defer-notice', '--restore'], home.env);
    assert.deepEqual([login.code, login.stdout, login.stderr], [0, '', ''], 'no terminal at login: everything goes to the notice');
    const live = rows(home.db);
    for (const row of live) cleanupLater(Number(row['pid']));
    assert.deepEqual(live.map((row) => [row['name'], row['status']]).sort(), [['api', 'active'], ['web', 'active']]);
    for (const [index, name] of ['api', 'web'].entries()) {
      const pid = Number(live.find((row) => row['name'] === name)!['pid']);
      assert.equal(isAlive(pid), true);
      assert.equal(readlinkSync(`/proc/${pid}/cwd`), folders[index]);
    }
    assert.deepEqual(windowsOf(tmux, 'lifeline').map((window) => window.split('|')[0]), ['api', 'web']);
    assert.equal(
      readFileSync(join(home.dir, 'notice'), 'utf8'),
      [
        'lifeline: back after the reboot, in tmux: api, web (see them with: tmux attach -t lifeline)',
        `lifeline: gone was not brought back (folder gone: ${join(home.dir, 'nowhere')})`,
        '',
      ].join('\n'),
    );
    assert.equal(cli(['stop', '--all', '--timeout', '5'], home.env).code, 0);
  },
);
