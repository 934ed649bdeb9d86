import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext } from '../src/lifecycle/context.js';
import { stopInstance } from '../src/lifecycle/ending/stop.js';
import { platformProbe } from '../src/proc/index.js';
import { openDatabase } from '../src/store/open.js';
import { Store } from '../src/store/store.js';
import { events, insertRow, rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';

/**
 * `writeTransaction` is `.immediate()` alone: inside reconcile's transaction, a stop must become a
 * savepoint (better-sqlite3 does that by itself), commit with the outer one, and roll back alone.
 */
function openStore(path: string): Store {
  return new Store(openDatabase(path, 'write')!);
}

test('a stop nested in a write transaction is a savepoint: it commits with the outer one', () => {
  const home = makeHome();
  const store = openStore(home.db);
  insertRow(home.db, { name: 'ghost', boot_id: 'an-earlier-boot' });
  const ctx = createContext(store, platformProbe(), 'this-boot');
  try {
    const outcome = store.writeTransaction(() => {
      assert.equal(store.inTransaction, true);
      return stopInstance(ctx, { name: 'ghost', by: 'system', reason: 'exit:reboot' });
    });
    assert.equal(outcome.stopped, true);
  } finally {
    store.close();
  }
  assert.deepEqual(rows(home.db), []);
  assert.deepEqual(
    events(home.db).map((event) => [event.instance, event.type, event.data.reason]),
    [['ghost', 'life.stopped', 'exit:reboot']],
  );
});

test('a nested stop that throws rolls back alone; the outer transaction keeps its own writes', () => {
  const home = makeHome();
  const store = openStore(home.db);
  insertRow(home.db, { name: 'ghost', boot_id: 'an-earlier-boot' });
  const ctx = createContext(store, platformProbe(), 'this-boot');
  try {
    store.writeTransaction(() => {
      store.setKv('outer', 'kept');
      assert.throws(
        () =>
          store.writeTransaction(() => {
            stopInstance(ctx, { name: 'ghost', by: 'system', reason: 'exit:reboot' });
            throw new Error('after the stop, inside the savepoint');
          }),
        /inside the savepoint/,
      );
      // The savepoint was rolled back, the outer transaction is still open.
      assert.equal(store.inTransaction, true);
      assert.notEqual(store.getInstance('ghost'), null);
    });
  } finally {
    store.close();
  }
  assert.deepEqual(
    rows(home.db).map((row) => row['name']),
    ['ghost'],
  );
  assert.deepEqual(events(home.db), []);
  const check = openStore(home.db);
  try {
    assert.equal(check.getKv('outer'), 'kept');
  } finally {
    check.close();
  }
});
