import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { cli, CLI } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';
import { have } from './helpers/processes.js';

test('list: an aligned table with every column, --all adds stopped instances with when and why', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'alice', '--detach', '--tag', 'api', '--', 'sleep', '300'], { ...home.env, HOME: home.dir }, { cwd: home.dir }).code, 0);
  assert.equal(cli(['launch', 'bob', '--', 'sh', '-c', 'exit 3'], home.env).code, 3);
  const table = cli(['list'], { ...home.env, HOME: home.dir });
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME\s+STATE\s+PID\s+UPTIME\s+CPU\s+MEM\s+TAG\s+FOLDER$/);
  assert.match(lines[1]!, /^alice\s+running\s+\d+\s+\d+s\s+\d+\.\d%\s+[\d.]+ (KiB|MiB)\s+api\s+~$/);
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.indexOf('STATE'), lines[1]!.indexOf('running'), 'columns line up');

  const all = cli(['list', '--all'], home.env).stdout;
  assert.match(all, /^bob\s+stopped \d+s ago \(exit:code:3\)/m);
  assert.equal(cli(['stop', 'alice'], home.env).code, 0);
});

test('list: colours only on a terminal, never with NO_COLOR', { skip: have('script') ? false : 'script (util-linux) is not installed' }, () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'carol', '--', 'true'], home.env).code, 0);
  const onTty = (env: NodeJS.ProcessEnv): string =>
    spawnSync('script', ['-qec', `${process.execPath} ${CLI} list --all`, '/dev/null'], { env, encoding: 'utf8' }).stdout;
  const coloured = { ...home.env };
  delete coloured['NO_COLOR'];
  coloured['TERM'] = 'xterm';
  assert.match(onTty(coloured), /\u001B\[/);
  assert.doesNotMatch(onTty({ ...coloured, NO_COLOR: '1' }), /\u001B\[/);
  assert.doesNotMatch(cli(['list', '--all'], coloured).stdout, /\u001B\[/, 'not a terminal: no colour');
});
