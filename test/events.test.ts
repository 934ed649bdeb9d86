import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';

interface EventOut {
  id: number;
  instance: string;
  type: string;
  data: { by: string; reason?: string; pid?: number };
}

test('events: the life log newest first, filtered by name, limited, as JSON or a table', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'alice', '--', 'true'], home.env).code, 0);
  assert.equal(cli(['launch', 'bob', '--', 'sh', '-c', 'exit 2'], home.env).code, 2);

  const all = cliJson<EventOut[]>(['events'], home.env);
  assert.deepEqual(all.map((e) => [e.instance, e.type]), [
    ['bob', 'life.stopped'],
    ['bob', 'life.started'],
    ['alice', 'life.stopped'],
    ['alice', 'life.started'],
  ]);
  assert.ok(all[0]!.id > all[1]!.id, 'newest first');
  assert.equal(all[0]!.data.reason, 'exit:code:2', 'data is parsed JSON, not a string');

  assert.deepEqual(cliJson<EventOut[]>(['events', 'alice'], home.env).map((e) => e.type), ['life.stopped', 'life.started']);
  assert.equal(cliJson<EventOut[]>(['events', '--limit', '1'], home.env).length, 1);
  assert.match(cli(['events', 'bob'], home.env).stdout, /^ID\s+TIME\s+NAME\s+EVENT\s+BY\s+DETAIL\n\d+\s+\S+ \S+\s+bob\s+life\.stopped\s+self\s+exit:code:2\n/);

  assert.deepEqual([cli(['events', 'alcie'], home.env).stderr], ['lifeline: no instance named "alcie"; did you mean alice?\n']);
  assert.equal(cli(['events', '--limit', '0'], home.env).code, 2);
});
