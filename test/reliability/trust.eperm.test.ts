import assert from 'node:assert/strict';
import { chownSync } from 'node:fs';
import { test } from 'node:test';
import { cliAsNobody, dropSkip, NOBODY } from '../helpers/as-nobody.js';
import { events, insertRow, rows } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { bootId, isAlive, startSleeper, startToken } from '../helpers/processes.js';
import { createDatabase } from '../helpers/seed.js';

test(
  'stop of a verified process the user may not signal (EPERM) is a one-line error; nothing is recorded and it runs on',
  { skip: dropSkip() },
  () => {
    const home = makeHome();
    createDatabase(home);
    // Root's process, recorded with its exact start token and no marker: verified alive by the token alone.
    const roots = startSleeper();
    insertRow(home.db, { name: 'roots', pid: roots.pid, boot_id: bootId(), proc_start: startToken(roots.pid), marker: null });
    for (const file of ['', '/lifeline.db', '/lifeline.db-wal', '/lifeline.db-shm']) {
      try {
        chownSync(`${home.dir}${file}`, NOBODY, NOBODY);
      } catch {
        // Not every file exists at every moment.
      }
    }
    const before = events(home.db).length;
    const stop = cliAsNobody(['stop', 'roots', '--timeout', '1'], home.env);
    assert.equal(stop.code, 1, stop.stderr);
    assert.equal(stop.stderr, `lifeline: roots (pid ${roots.pid}) is not yours to signal (EPERM); nothing was changed\n`);
    assert.equal(stop.stdout, '');
    assert.equal(isAlive(roots.pid), true);
    assert.deepEqual(rows(home.db).map((row) => row['name']), ['roots']);
    assert.equal(events(home.db).length, before, 'no life.stopped');
  },
);
