import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'smol-toml';
import { codexTrustedHash, type ConfigIo, type HookTarget, planAgentConfig } from '../src/integration/agent-config.js';

const TARGET: HookTarget = { node: '/usr/bin/node', cli: '/opt/lifeline/dist/cli.cjs', db: null };
const COMMAND = '/usr/bin/node /opt/lifeline/dist/cli.cjs hook codex';
const CONFIG = '/home/u/.codex/config.toml';

function io(text: string | null): ConfigIo {
  return { env: { HOME: '/home/u' }, read: () => text, exists: () => true, realpath: (path) => path };
}

function installed(text: string | null): string {
  const after = planAgentConfig('codex', TARGET, true, io(text)).edit.after;
  assert.notEqual(after, null);
  return after!;
}

test('codex: the trust key counts the groups before lifeline\'s, and the user\'s hooks.state tables stay valid', () => {
  const user = [
    '[hooks.state]',
    `"${CONFIG}:session_start:0:0" = { trusted_hash = "sha256:mine" }`,
    '',
    '[[hooks.SessionStart]]',
    'matcher = "startup"',
    '[[hooks.SessionStart.hooks]]',
    'type = "command"',
    'command = "echo one"',
    '',
    '[[hooks.SessionStart]]',
    '[[hooks.SessionStart.hooks]]',
    'type = "command"',
    'command = "echo two"',
    '',
  ].join('\n');
  const after = installed(user);
  const config = parse(after) as { hooks: { SessionStart: { hooks: { command: string }[] }[]; state: Record<string, { trusted_hash: string }> } };
  assert.equal(config.hooks.SessionStart.length, 3);
  assert.equal(config.hooks.SessionStart[2]!.hooks[0]!.command, COMMAND);
  assert.equal(config.hooks.state[`${CONFIG}:session_start:2:0`]!.trusted_hash, codexTrustedHash(COMMAND));
  assert.equal(config.hooks.state[`${CONFIG}:session_start:0:0`]!.trusted_hash, 'sha256:mine');
  assert.equal(planAgentConfig('codex', TARGET, true, io(after)).edit.state, 'installed');
});

test('codex: what the user added after lifeline\'s block survives an update and an uninstall', () => {
  const first = installed('model = "o3"\n');
  const grown = `${first}\n[projects."/w"]\ntrust_level = "trusted"\n`;
  const moved = planAgentConfig('codex', { ...TARGET, node: '/new/node' }, true, io(grown));
  assert.equal(moved.edit.state, 'stale');
  assert.match(moved.edit.after!, /\[projects\."\/w"\]\ntrust_level = "trusted"/);
  assert.match(moved.edit.after!, /command = "\/new\/node \/opt\/lifeline\/dist\/cli\.cjs hook codex"/);
  assert.equal((moved.edit.after!.match(/\[\[hooks\.SessionStart\]\]/g) ?? []).length, 1, 'one hook, replaced');
  const removed = planAgentConfig('codex', TARGET, false, io(grown)).edit.after!;
  assert.equal(removed, 'model = "o3"\n\n[projects."/w"]\ntrust_level = "trusted"\n');
});

test('codex: a trust entry codex no longer matches makes the hook stale, and install rewrites it', () => {
  const good = installed(null);
  const tampered = good.replace(/trusted_hash = "sha256:[0-9a-f]+"/, 'trusted_hash = "sha256:0000"');
  const plan = planAgentConfig('codex', TARGET, true, io(tampered));
  assert.equal(plan.edit.state, 'stale');
  assert.match(plan.edit.detail!, /codex does not trust it/);
  assert.equal(plan.edit.after, good);
});

test('claude: no change when installed; the file\'s own indent is kept', () => {
  const text = '{\n    "model": "opus"\n}\n';
  const after = planAgentConfig('claude', TARGET, true, { ...io(text), env: { HOME: '/home/u' } }).edit.after!;
  assert.match(after, /^\{\n {4}"model": "opus",\n {4}"hooks": \{/);
  assert.equal(planAgentConfig('claude', TARGET, true, io(after)).edit.after, null);
  assert.equal(planAgentConfig('claude', TARGET, false, io(text)).edit.after, null, 'nothing to remove');
});

const TUI = '\n[tui]\nscreen_reader_detection_done = true\n\n[tui.model_availability_nux]\n"gpt-5.1" = 1\n';

test('codex: tables codex appends while the hook is installed stay after uninstall; only lifeline\'s tables go', () => {
  for (const user of ['model = "o3"\n', '', '# mine\n[projects."/w"]\ntrust_level = "trusted"\n\n', 'model = "o3"', '\n']) {
    const first = installed(user === '' ? null : user);
    const uninstall = planAgentConfig('codex', TARGET, false, io(first + TUI)).edit;
    assert.equal(uninstall.after, user + TUI, JSON.stringify(user));
    assert.equal(uninstall.remove, false, 'a file codex wrote into stays');
    assert.equal(planAgentConfig('codex', TARGET, false, io(first)).edit.after, user, 'untouched: byte for byte');
  }
  // codex put a trust entry of the user's own hook between lifeline's tables: it stays.
  const first = installed('model = "o3"\n');
  const between = first.replace('\n[hooks.state.', '\n[hooks.state."/x:session_start:9:0"]\ntrusted_hash = "sha256:mine"\n\n[hooks.state.');
  const removed = planAgentConfig('codex', TARGET, false, io(between)).edit.after!;
  assert.deepEqual(JSON.parse(JSON.stringify(parse(removed))), { model: 'o3', hooks: { state: { '/x:session_start:9:0': { trusted_hash: 'sha256:mine' } } } });
});

test('codex: a block of an earlier version, its end marker gone and codex\'s tables after it, loses only lifeline\'s tables and markers', () => {
  const legacy = [
    'model = "o3"',
    '',
    '# >>> lifeline hook >>> (lifeline agents install/uninstall manage this block)',
    '[[hooks.SessionStart]]',
    '[[hooks.SessionStart.hooks]]',
    'type = "command"',
    `command = "${COMMAND}"`,
    '',
    `[hooks.state."${CONFIG}:session_start:0:0"]`,
    `trusted_hash = "${codexTrustedHash(COMMAND)}"`,
    '',
    '[tui]',
    'screen_reader_detection_done = true',
    '',
  ].join('\n');
  assert.equal(planAgentConfig('codex', TARGET, false, io(legacy)).edit.after, 'model = "o3"\n\n[tui]\nscreen_reader_detection_done = true\n');
  const withEnd = legacy.replace('\n[tui]', '# <<< lifeline hook <<<\n\n[tui]');
  assert.equal(planAgentConfig('codex', TARGET, false, io(withEnd)).edit.after, 'model = "o3"\n\n[tui]\nscreen_reader_detection_done = true\n');
});

test('codex: valid TOML whose strings hold the old marker text is TOML; a user\'s hook that also calls lifeline is the user\'s', () => {
  const user = 'note = "# >>> lifeline hook >>>"\nend = """\n# <<< lifeline hook <<<\n"""\n';
  const first = installed(user);
  assert.equal(planAgentConfig('codex', TARGET, false, io(first)).edit.after, user);
});
