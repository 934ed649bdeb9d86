import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cli } from '../helpers/cli.js';
import { makeHome } from '../helpers/home.js';
import { cleanupLater, startSleeper } from '../helpers/processes.js';
import { shellQuote, visible } from '../../src/output.js';

/** OSC 52 (writes the clipboard), BEL, a newline that would forge a row, CR, DEL, a C1 CSI and a bidi override. */
const EVIL = 'x\u001b]52;c;aGk=\u0007\nforged  running  1\r\u007f\u009b31m\u202e';
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

function noRawControls(output: string, what: string): void {
  assert.doesNotMatch(output, RAW, `${what} printed a raw control character: ${JSON.stringify(output)}`);
}

test('control characters in tags, folders, argv and binding values are escaped in human output; JSON keeps them unchanged', () => {
  const home = makeHome();
  const root = mkdtempSync(join(tmpdir(), 'lifeline-test-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, `dir${EVIL.replace(/\//g, '')}`);
  mkdirSync(folder);

  const launched = cli(['launch', 'evil', '--detach', '--tag', EVIL, '--', 'sh', '-c', 'exec sleep 300', EVIL], home.env, { cwd: folder });
  assert.equal(launched.code, 0, launched.stderr);
  noRawControls(launched.stdout + launched.stderr, 'launch');
  const json = JSON.parse(cli(['list', '--json'], home.env).stdout) as { tag: string; cwd: string; argv: string[]; pid: number }[];
  cleanupLater(json[0]!.pid);
  assert.equal(json[0]!.tag, EVIL, 'JSON is unchanged');
  assert.equal(json[0]!.cwd, folder);
  assert.deepEqual(json[0]!.argv, ['sh', '-c', 'exec sleep 300', EVIL]);

  const list = cli(['list'], home.env);
  noRawControls(list.stdout, 'list');
  assert.equal(list.stdout.trimEnd().split('\n').length, 2, 'a header and one row: the newline forged nothing');
  assert.ok(list.stdout.includes('\\x1b]52;c;aGk=\\x07\\nforged'), list.stdout);

  const bound = cli(['bind', 'evil', `session=${EVIL}`], home.env);
  noRawControls(bound.stdout, 'bind');
  assert.equal(bound.stdout.split('\n').length, 2);

  const stopped = cli(['stop', 'evil', '--timeout', '2'], home.env);
  assert.equal(stopped.code, 0, stopped.stderr);
  noRawControls(stopped.stdout, 'stop');
  const dry = cli(['r', 'evil', '--dry-run'], home.env);
  assert.equal(dry.code, 0, dry.stderr);
  noRawControls(dry.stdout, 'r --dry-run');
  assert.ok(dry.stdout.includes(`$'x\\x1b]52;c;aGk=\\x07\\nforged  running  1\\r\\x7f\\x9b31m\\u202e'`), dry.stdout);
  for (const args of [['list', '--all'], ['events'], ['events', 'evil']]) noRawControls(cli(args, home.env).stdout, args.join(' '));

  const sleeper = startSleeper(300, { cwd: folder });
  const tracked = cli(['track', 'tracked', '--pid', String(sleeper.pid), '--tag', EVIL], home.env);
  assert.equal(tracked.code, 0, tracked.stderr);
  noRawControls(tracked.stdout, 'track');
  noRawControls(cli(['list'], home.env).stdout, 'list of a tracked process in an evil folder');
  assert.equal(cli(['stop', 'tracked'], home.env).code, 0);
});

test('an error that echoes a path escapes its control characters and stays one line', () => {
  const home = makeHome();
  const dir = join(home.dir, `odd${EVIL.replace(/\//g, '')}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'garbage.db'), 'not a database at all, just some words to fill the header\n'.repeat(3));
  const result = cli(['--db', join(dir, 'garbage.db'), 'list'], home.env);
  assert.equal(result.code, 1);
  noRawControls(result.stderr, 'the error');
  assert.equal(result.stderr.split('\n').length, 2, result.stderr);
  assert.match(result.stderr, /is not a SQLite database/);
});

test('visible and shellQuote: every C0/C1 control, DEL and bidi control escaped; ordinary text, accents and emoji untouched', () => {
  for (let code = 0; code < 0x20; code++) assert.doesNotMatch(visible(String.fromCharCode(code)), RAW);
  for (let code = 0x7f; code <= 0x9f; code++) assert.doesNotMatch(visible(String.fromCharCode(code)), RAW);
  assert.equal(visible('café ✓ 🚀 /home/me/project'), 'café ✓ 🚀 /home/me/project');
  assert.equal(visible('a\nb\tc\u001b'), 'a\\nb\\tc\\x1b');
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote("a'\\\n"), `$'a\\'\\\\\\n'`);
});
