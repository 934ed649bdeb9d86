import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseJsonc } from 'jsonc-parser';
import { type ConfigIo, type HookTarget, planAgentConfig } from '../src/integration/agent-config.js';
import { makeAgentHome } from './helpers/agents.js';
import { CLI, cli } from './helpers/cli.js';

const TARGET: HookTarget = { node: '/usr/bin/node', cli: '/opt/lifeline/dist/cli.cjs', db: null };
const COMMAND = '/usr/bin/node /opt/lifeline/dist/cli.cjs hook claude';

function io(text: string | null): ConfigIo {
  return { env: { HOME: '/home/u' }, read: () => text, exists: () => true, realpath: (path) => path };
}

/** install then uninstall in memory: what each leaves. */
function roundTrip(text: string | null): { installed: string; uninstalled: string | null; removed: boolean } {
  const install = planAgentConfig('claude', TARGET, true, io(text)).edit;
  assert.notEqual(install.after, null, 'install changes the file');
  const uninstall = planAgentConfig('claude', TARGET, false, io(install.after)).edit;
  return { installed: install.after!, uninstalled: uninstall.after, removed: uninstall.remove };
}

function sessionStartCommands(text: string): string[] {
  const settings = parseJsonc(text) as { hooks?: { SessionStart?: { hooks?: { command?: string }[] }[] } };
  return (settings.hooks?.SessionStart ?? []).flatMap((group) => (group.hooks ?? []).map((handler) => handler.command ?? ''));
}

const HAND_FORMATTED = [
  '{',
  '  // my settings, by hand',
  '  "permissions": { "allow": ["Bash(ls:*)"] },',
  '  "ratio": 1.0, "limit": 1e3, "big": 12345678901234567890,',
  '  "path": "a\\/b", "name": "caf\\u00e9", /* inline */',
  '  "hooks": {"SessionStart":[]}',
  '}',
  '',
].join('\n');

test('install then uninstall gives back a hand-formatted settings.json byte for byte: numbers, escapes, comments, the user\'s empty SessionStart', () => {
  const { installed, uninstalled, removed } = roundTrip(HAND_FORMATTED);
  assert.deepEqual(sessionStartCommands(installed), [COMMAND]);
  assert.ok(installed.startsWith(HAND_FORMATTED.slice(0, HAND_FORMATTED.indexOf('"hooks"'))), 'everything before the edit keeps its bytes');
  assert.equal(uninstalled, HAND_FORMATTED);
  assert.equal(removed, false);
});

test('every shape of container round-trips exactly; the new entry reads as the only lifeline hook', () => {
  const shapes = [
    '{}',
    '{ }\n',
    '{\n}\n',
    '{ "allow": ["Bash(ls:*)"] }\n',
    '{"model":"opus"}',
    '{\n\t"model": "opus"\n}\n',
    '{\n    "model": "opus",\n    "hooks": {}\n}\n',
    '{\n  "hooks": {\n    "Stop": [{ "hooks": [{ "type": "command", "command": "echo stop" }] }]\n  }\n}\n',
    '{\n  "hooks": {\n    "SessionStart": [ ]\n  }\n}\n',
    '{\n  "hooks": {\n    "SessionStart": [\n    ]\n  }\n}\n',
    '{\n  "hooks": {\n    "SessionStart": [\n      { "matcher": "startup", "hooks": [{ "type": "command", "command": "echo mine" }] }\n    ]\n  }\n}\n',
    '{"hooks":{"SessionStart":[{"hooks":[{"type":"command","command":"echo a"}]},{"hooks":[]}]}}',
    '{"model": "opus", "model": "sonnet"}\n', // A duplicate key off lifeline's path is the user's business.
    '{\r\n  "model": "opus"\r\n}\r\n',
    '{\r\n  "hooks": {\r\n    "SessionStart": [\r\n      { "hooks": [] }\r\n    ]\r\n  }\r\n}',
  ];
  for (const shape of shapes) {
    const { installed, uninstalled } = roundTrip(shape);
    assert.equal(sessionStartCommands(installed).filter((command) => command === COMMAND).length, 1, `${shape} → ${installed}`);
    assert.equal(planAgentConfig('claude', TARGET, true, io(installed)).edit.state, 'installed', installed);
    assert.equal(uninstalled, shape, `round trip of ${JSON.stringify(shape)} via ${JSON.stringify(installed)}`);
    if (shape.includes('\r\n')) assert.doesNotMatch(installed, /[^\r]\n/, 'a CRLF file gets CRLF lines');
  }
});

test('no file: install writes a new one, uninstall removes it; an entry the agent wrote beside ours meanwhile stays', () => {
  const created = roundTrip(null);
  assert.equal(created.removed, true);
  assert.equal(created.uninstalled, '');
  const grown = created.installed.replace(/\n}\n$/, ',\n  "theme": "dark"\n}\n');
  const after = planAgentConfig('claude', TARGET, false, io(grown)).edit;
  assert.equal(after.remove, false);
  assert.deepEqual(parseJsonc(after.after!), { theme: 'dark' });
  const both = created.installed.replace('"SessionStart": [', '"SessionStart": [\n      { "hooks": [{ "type": "command", "command": "echo agent" }] },');
  assert.deepEqual(sessionStartCommands(planAgentConfig('claude', TARGET, false, io(both)).edit.after!), ['echo agent']);
});

test('an empty file stays an empty file; a missing one goes again (JSON and TOML)', () => {
  for (const agent of ['claude', 'codex'] as const) {
    for (const text of ['', '\n', ' \n\n']) {
      const install = planAgentConfig(agent, TARGET, true, io(text)).edit;
      const uninstall = planAgentConfig(agent, TARGET, false, io(install.after)).edit;
      assert.deepEqual([uninstall.after, uninstall.remove], [text, false], `${agent} ${JSON.stringify(text)} via ${JSON.stringify(install.after)}`);
    }
    const created = planAgentConfig(agent, TARGET, true, io(null)).edit.after!;
    assert.equal(planAgentConfig(agent, TARGET, false, io(created)).edit.remove, true, agent);
  }
});

test('the CLI: a created file is gone after uninstall, an existing one is byte-identical, nothing else is left in the folder', () => {
  const home = makeAgentHome(['claude', 'gemini']);
  const claude = join(home.user, '.claude', 'settings.json');
  writeFileSync(claude, HAND_FORMATTED);
  assert.equal(cli(['agents', 'install'], home.env).code, 0);
  assert.deepEqual(sessionStartCommands(readFileSync(claude, 'utf8')), [`${process.execPath} ${CLI} hook claude`]);
  assert.equal(existsSync(join(home.user, '.gemini', 'settings.json')), true);
  const result = cli(['agents', 'uninstall'], home.env);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(readFileSync(claude, 'utf8'), HAND_FORMATTED);
  assert.deepEqual(readdirSync(join(home.user, '.gemini')), [], 'the file install created is gone');
});

test('what cannot be edited as text is refused in one line and left untouched: invalid JSON, invalid UTF-8, a duplicate key on the path', () => {
  const home = makeAgentHome(['claude']);
  const file = join(home.user, '.claude', 'settings.json');
  const cases: [string, Buffer, RegExp][] = [
    ['a trailing comma', Buffer.from('{"model": "opus",}\n'), /is not valid JSON \(\w+ at line 1, column \d+\)/],
    ['a missing brace', Buffer.from('{"model": "opus"\n'), /is not valid JSON/],
    ['a list', Buffer.from('[1, 2]\n'), /does not hold a JSON object/],
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"name": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]), /is not valid UTF-8/],
    ['two hooks keys', Buffer.from('{"hooks": {}, "hooks": {"Stop": []}}\n'), /the key "hooks" appears 2 times/],
    ['two SessionStart keys', Buffer.from('{"hooks": {"SessionStart": [], "SessionStart": []}}\n'), /the key "hooks\.SessionStart" appears 2 times/],
    ['hooks not an object', Buffer.from('{"hooks": []}\n'), /"hooks" is not an object/],
  ];
  for (const [what, bytes, message] of cases) {
    writeFileSync(file, bytes);
    for (const action of ['install', 'uninstall']) {
      const result = cli(['agents', action, 'claude'], home.env);
      assert.equal(result.code, 1, `${what}: ${result.stdout}`);
      assert.match(result.stderr, /^lifeline: cannot edit \S+settings\.json: [^\n]+; lifeline leaves it untouched\n$/, what);
      assert.match(result.stderr, message, what);
      assert.deepEqual(readFileSync(file), bytes, what);
    }
  }
  assert.deepEqual(readdirSync(join(home.user, '.claude')), ['settings.json'], 'no backup or temp file');
});

test('the CLI, codex: tables codex appended after install stay after uninstall, in a file install created too', () => {
  const home = makeAgentHome(['codex']);
  const config = join(home.user, '.codex', 'config.toml');
  assert.equal(cli(['agents', 'install', 'codex'], home.env).code, 0);
  writeFileSync(config, `${readFileSync(config, 'utf8')}\n[tui]\nscreen_reader_detection_done = true\n`);
  assert.equal(cli(['agents', 'uninstall', 'codex'], home.env).code, 0);
  assert.equal(readFileSync(config, 'utf8'), '\n[tui]\nscreen_reader_detection_done = true\n');
  writeFileSync(config, '# mine\nmodel = "o3"\n');
  assert.equal(cli(['agents', 'install', 'codex'], home.env).code, 0);
  assert.equal(cli(['agents', 'uninstall', 'codex'], home.env).code, 0);
  assert.equal(readFileSync(config, 'utf8'), '# mine\nmodel = "o3"\n');
});

test('a large settings.json: install is linear, and --dry-run prints only the lines that change', () => {
  const home = makeAgentHome(['claude']);
  const file = join(home.user, '.claude', 'settings.json');
  const allow = Array.from({ length: 20_000 }, (_, i) => `      "Bash(tool-${i}:*) ${'x'.repeat(20)}"`);
  const big = `{\n  "permissions": {\n    "allow": [\n${allow.join(',\n')}\n    ]\n  },\n  "model": "opus"\n}\n`;
  assert.ok(big.length > 750_000, `${big.length} bytes`);
  writeFileSync(file, big);
  const started = Date.now();
  const dry = cli(['agents', 'install', 'claude', '--dry-run', '--json'], home.env);
  assert.equal(dry.code, 0, dry.stderr);
  const diff = (JSON.parse(dry.stdout) as { agents: { diff: string[] }[] }).agents[0]!.diff;
  assert.deepEqual(diff.slice(0, 2), ['-   "model": "opus"', '+   "model": "opus",'], diff.join('\n'));
  // About ten lines per hook entry (SessionStart and claude's six turn events), nothing of the 20,000 around them.
  assert.ok(diff.length < 100, `${diff.length} lines`);
  assert.equal(cli(['agents', 'install', 'claude'], home.env).code, 0);
  assert.equal(cli(['agents', 'uninstall', 'claude'], home.env).code, 0);
  assert.equal(readFileSync(file, 'utf8'), big);
  assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms for three runs`);
});

test('a folder install created goes again with its file, unless the agent wrote into it; a folder that was there stays', () => {
  const home = makeAgentHome(['claude']);
  assert.equal(cli(['agents', 'install', 'gemini', 'codex', 'claude'], home.env).code, 0);
  assert.equal(existsSync(join(home.user, '.gemini', 'settings.json')), true);
  writeFileSync(join(home.user, '.codex', 'auth.json'), '{}\n'); // codex wrote into the folder meanwhile.
  assert.equal(cli(['agents', 'uninstall', 'gemini', 'codex', 'claude'], home.env).code, 0);
  assert.equal(existsSync(join(home.user, '.gemini')), false, 'created by install: gone');
  assert.deepEqual(readdirSync(join(home.user, '.codex')), ['auth.json'], "created by install, but the agent's file keeps it");
  assert.deepEqual(readdirSync(join(home.user, '.claude')), [], 'the user\'s own (empty) folder stays');
  // CLAUDE_CONFIG_DIR two levels deep: both levels were install's.
  const env = { ...home.env, CLAUDE_CONFIG_DIR: join(home.dir, 'deep', 'claude') };
  assert.equal(cli(['agents', 'install', 'claude'], env).code, 0);
  assert.equal(cli(['agents', 'uninstall', 'claude'], env).code, 0);
  assert.equal(existsSync(join(home.dir, 'deep')), false);
});
