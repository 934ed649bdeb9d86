import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { codexTrustedHash, hookCommand, isLifelineHook } from '../src/integration/agent-config.js';
import { makeAgentHome } from './helpers/agents.js';
import { CLI, cli, cliJson } from './helpers/cli.js';

const HOOK = (agent: string): string => `${process.execPath} ${CLI} hook ${agent}`;

interface AgentsJson {
  agents: { agent: string; file: string; state: string; action: string; backup: string | null; diff?: string[] }[];
}

function backups(folder: string): string[] {
  return readdirSync(folder).filter((file) => file.includes('.lifeline-backup'));
}

test('the codex trust hash is the SHA-256 of the compact, key-sorted hook identity', () => {
  // Computed independently, with the shell's sha256sum on the literal JSON codex hashes.
  const sha = (json: string): string => `sha256:${execFileSync('sha256sum', { input: json, encoding: 'utf8' }).split(' ')[0]}`;
  for (const command of ['/usr/bin/node /opt/lifeline/dist/cli.cjs hook codex', `/opt/node/bin/node '/home/a b/lifeline/dist/cli.cjs' hook codex --db /tmp/x.db`]) {
    const literal = `{"event_name":"session_start","hooks":[{"async":false,"command":${JSON.stringify(command)},"timeout":600,"type":"command"}]}`;
    assert.equal(codexTrustedHash(command), sha(literal));
  }
  assert.equal(
    codexTrustedHash('/usr/bin/node /work/wt-agents/dist/cli.cjs hook codex'),
    'sha256:a41cc875f42273c2d67b2d0e06dcb0fa71495e7767f656c04fafcdad1c145f0e',
  );
});

test('the hook command: absolute paths, quoted for a shell, --db when chosen; recognized in any version', () => {
  assert.equal(hookCommand('claude', { node: '/usr/bin/node', cli: '/opt/l/dist/cli.cjs', db: null }), '/usr/bin/node /opt/l/dist/cli.cjs hook claude');
  const spaced = hookCommand('gemini', { node: '/n o/node', cli: "/it's/cli.cjs", db: '/d b/x.db' });
  assert.equal(spaced, `'/n o/node' '/it'\\''s/cli.cjs' hook gemini --db '/d b/x.db'`);
  assert.equal(isLifelineHook(spaced, 'gemini'), true);
  assert.equal(isLifelineHook('/old/node /old/lifeline/dist/cli.js hook claude', 'claude'), true);
  assert.equal(isLifelineHook('lifeline hook claude', 'claude'), true);
  assert.equal(isLifelineHook('lifeline hook claude', 'codex'), false);
  assert.equal(isLifelineHook('echo hook claude', 'claude'), false);
  // Only the exact shape lifeline writes is lifeline's; a script that also calls lifeline is the user's.
  assert.equal(isLifelineHook('lifeline hook claude && ~/bin/sync-notes --pull', 'claude'), false);
  assert.equal(isLifelineHook('/usr/bin/node /opt/l/dist/cli.cjs hook claude; rm -f x', 'claude'), false);
  assert.equal(isLifelineHook('/usr/bin/node /opt/l/dist/cli.cjs hook claude --verbose', 'claude'), false);
  assert.equal(isLifelineHook('/usr/bin/node /opt/l/dist/cli.cjs hook claude --db /d/x.db', 'claude'), true);
});

test("a user's own hook that calls lifeline among other things is the user's: never stale, never removed", () => {
  const home = makeAgentHome(['claude']);
  const settings = join(home.user, '.claude', 'settings.json');
  const mine = '{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "lifeline hook claude && ~/bin/sync-notes --pull"}]}]}}\n';
  writeFileSync(settings, mine);
  assert.deepEqual(cliJson<AgentsJson>(['agents', 'status'], home.env).agents.map((a) => a.state), ['missing']);
  assert.equal(cliJson<AgentsJson>(['agents', 'install'], home.env).agents[0]!.action, 'installed');
  assert.equal(cliJson<AgentsJson>(['agents', 'uninstall'], home.env).agents[0]!.action, 'removed');
  assert.equal(readFileSync(settings, 'utf8'), mine);
});

test('install merges into the user settings, is idempotent, keeps the original once; uninstall removes only ours, and the backup', () => {
  const home = makeAgentHome();
  const claudeSettings = join(home.user, '.claude', 'settings.json');
  const mine = { model: 'opus', permissions: { allow: ['Bash(ls)'] }, hooks: { SessionStart: [{ matcher: 'startup', hooks: [{ type: 'command', command: 'echo mine' }] }], Stop: [{ hooks: [{ type: 'command', command: 'echo stop' }] }] } };
  writeFileSync(claudeSettings, `${JSON.stringify(mine, null, 4)}\n`);
  const codexConfig = join(home.user, '.codex', 'config.toml');
  const toml = '# my codex\nmodel = "gpt-5"\n\n[[hooks.SessionStart]]\n[[hooks.SessionStart.hooks]]\ntype = "command"\ncommand = "echo mine"\n\n[projects."/x"]\ntrust_level = "trusted"\n';
  writeFileSync(codexConfig, toml);

  const dry = cliJson<AgentsJson>(['agents', 'install', '--dry-run'], home.env);
  assert.deepEqual(dry.agents.map((a) => [a.agent, a.action]), [['claude', 'would-install'], ['codex', 'would-install'], ['gemini', 'would-install']]);
  assert.ok(dry.agents[1]!.diff!.some((line) => line.includes('trusted_hash')), 'the dry run shows the change');
  assert.equal(readFileSync(claudeSettings, 'utf8'), `${JSON.stringify(mine, null, 4)}\n`, 'a dry run writes nothing');
  assert.equal(existsSync(join(home.user, '.gemini', 'settings.json')), false);

  const first = cliJson<AgentsJson>(['agents', 'install'], home.env);
  assert.deepEqual(first.agents.map((a) => [a.agent, a.action]), [['claude', 'installed'], ['codex', 'installed'], ['gemini', 'installed']]);
  assert.equal(first.agents[2]!.backup, null, 'no file before, no backup');
  const claude = JSON.parse(readFileSync(claudeSettings, 'utf8')) as typeof mine;
  assert.deepEqual(claude.permissions, mine.permissions);
  const ours = (agent: string): { hooks: { type: string; command: string }[] } => ({ hooks: [{ type: 'command', command: HOOK(agent) }] });
  assert.deepEqual(claude.hooks.Stop, [...mine.hooks.Stop, ours('claude')], 'the turn hooks go beside the user\'s');
  assert.deepEqual(claude.hooks.SessionStart, [...mine.hooks.SessionStart, { hooks: [{ type: 'command', command: HOOK('claude') }] }]);
  assert.equal(readFileSync(first.agents[0]!.backup!, 'utf8'), `${JSON.stringify(mine, null, 4)}\n`, 'the backup holds the old content');
  assert.equal(statSync(first.agents[0]!.backup!).mode & 0o777, 0o600);
  const codex = readFileSync(codexConfig, 'utf8');
  assert.ok(codex.startsWith(toml.trimEnd()), 'the user TOML is kept byte for byte');
  assert.ok(codex.includes(`[hooks.state."${realpathSync(home.user)}/.codex/config.toml:session_start:1:0"]`) || codex.includes(`[hooks.state."${home.user}/.codex/config.toml:session_start:1:0"]`), 'trusted as the second group');
  assert.ok(codex.includes(`trusted_hash = "${codexTrustedHash(HOOK('codex'))}"`));
  const gemini = JSON.parse(readFileSync(join(home.user, '.gemini', 'settings.json'), 'utf8')) as { hooks: unknown };
  const geminiEvents = ['SessionStart', 'BeforeAgent', 'AfterAgent', 'Notification'];
  assert.deepEqual(gemini, { hooks: Object.fromEntries(geminiEvents.map((event) => [event, [ours('gemini')]])) });

  const again = cliJson<AgentsJson>(['agents', 'install'], home.env);
  assert.deepEqual(again.agents.map((a) => a.action), ['unchanged', 'unchanged', 'unchanged']);
  assert.equal(backups(join(home.user, '.claude')).length, 1, 'an idempotent install makes no backup');
  assert.deepEqual(cliJson<AgentsJson>(['agents', 'status'], home.env).agents.map((a) => a.state), ['installed', 'installed', 'installed']);

  // A later install that changes the file (here: a moved lifeline) keeps the first original, adds no backup.
  const moved = cliJson<AgentsJson>(['agents', 'install', 'claude', '--db', join(home.dir, 'other.db')], home.env);
  assert.equal(moved.agents[0]!.action, 'updated');
  assert.equal(moved.agents[0]!.backup, first.agents[0]!.backup);
  assert.equal(readFileSync(first.agents[0]!.backup!, 'utf8'), `${JSON.stringify(mine, null, 4)}\n`, 'still the original');
  assert.equal(backups(join(home.user, '.claude')).length, 1);
  assert.equal(cliJson<AgentsJson>(['agents', 'install', 'claude'], home.env).agents[0]!.action, 'updated');

  const removed = cliJson<AgentsJson>(['agents', 'uninstall'], home.env);
  assert.deepEqual(removed.agents.map((a) => a.action), ['removed', 'removed', 'removed']);
  assert.equal(readFileSync(claudeSettings, 'utf8'), `${JSON.stringify(mine, null, 4)}\n`, 'uninstall gives back the JSON exactly');
  assert.equal(readFileSync(codexConfig, 'utf8'), toml, 'uninstall gives back the TOML exactly');
  assert.deepEqual([...backups(join(home.user, '.claude')), ...backups(join(home.user, '.codex'))], [], 'uninstall removes the backups install kept');
  assert.deepEqual(cliJson<AgentsJson>(['agents', 'uninstall'], home.env).agents.map((a) => a.action), ['unchanged', 'unchanged', 'unchanged']);
  assert.deepEqual(cliJson<AgentsJson>(['agents', 'status'], home.env).agents.map((a) => a.state), ['missing', 'missing', 'missing']);
});

test('a stale hook (another lifeline path) is reported by status and doctor, and replaced by install', () => {
  const home = makeAgentHome(['claude']);
  const settings = join(home.user, '.claude', 'settings.json');
  writeFileSync(settings, JSON.stringify({ hooks: { SessionStart: [{ hooks: [{ type: 'command', command: '/old/node /old/lifeline/dist/cli.cjs hook claude' }, { type: 'command', command: 'echo mine' }] }] } }));
  assert.deepEqual(cliJson<AgentsJson>(['agents', 'status'], home.env).agents.map((a) => [a.agent, a.state]), [['claude', 'stale']]);
  const doctor = cliJson<{ agent_hooks: Record<string, string>; warnings: string[] }>(['doctor'], home.env);
  assert.deepEqual(doctor.agent_hooks, { claude: 'stale', codex: 'no-config', gemini: 'no-config' });
  assert.ok(doctor.warnings.some((w) => w.startsWith('claude: lifeline\'s session hook in') && w.includes('stale')), doctor.warnings.join('\n'));
  assert.equal(cliJson<AgentsJson>(['agents', 'install'], home.env).agents[0]!.action, 'updated');
  const after = JSON.parse(readFileSync(settings, 'utf8')) as { hooks: { SessionStart: { hooks: { command: string }[] }[] } };
  assert.deepEqual(after.hooks.SessionStart.flatMap((g) => g.hooks.map((h) => h.command)), ['echo mine', HOOK('claude')]);
  const missing = makeAgentHome(['gemini']);
  const report = cliJson<{ agent_hooks: Record<string, string>; warnings: string[] }>(['doctor'], missing.env);
  assert.equal(report.agent_hooks['gemini'], 'missing');
  assert.ok(report.warnings.some((w) => w.startsWith('gemini: lifeline\'s session hook is not installed')));
});

test('a symlinked configuration (dotfiles) is written through to its target', () => {
  const home = makeAgentHome(['gemini', 'codex']);
  const dotfiles = join(home.dir, 'dotfiles');
  mkdirSync(dotfiles);
  writeFileSync(join(dotfiles, 'gemini.json'), '{"general": {"enableAutoUpdate": false}}\n');
  writeFileSync(join(dotfiles, 'codex.toml'), 'model = "o3"\n');
  symlinkSync(join(dotfiles, 'gemini.json'), join(home.user, '.gemini', 'settings.json'));
  symlinkSync(join(dotfiles, 'codex.toml'), join(home.user, '.codex', 'config.toml'));
  const result = cliJson<AgentsJson>(['agents', 'install'], home.env);
  assert.deepEqual(result.agents.map((a) => a.action), ['installed', 'installed']);
  assert.equal(lstatSync(join(home.user, '.gemini', 'settings.json')).isSymbolicLink(), true, 'still the user symlink');
  assert.equal(lstatSync(join(home.user, '.codex', 'config.toml')).isSymbolicLink(), true);
  assert.match(readFileSync(join(dotfiles, 'gemini.json'), 'utf8'), /hook gemini/);
  assert.match(readFileSync(join(dotfiles, 'codex.toml'), 'utf8'), /^model = "o3"\n\n# lifeline agents install added this hook/);
  assert.deepEqual(readdirSync(dotfiles).sort(), ['codex.toml', 'gemini.json'], 'no temp or backup file left in the dotfiles');
  assert.equal(cliJson<AgentsJson>(['agents', 'uninstall'], home.env).agents.length, 2);
  assert.equal(readFileSync(join(dotfiles, 'codex.toml'), 'utf8'), 'model = "o3"\n');
});

test('files lifeline cannot edit safely are refused and left untouched', () => {
  const home = makeAgentHome(['claude', 'codex']);
  const commented = '{\n  // my comment\n  "model": "opus",\n}\n';
  writeFileSync(join(home.user, '.claude', 'settings.json'), commented);
  const inline = 'hooks.SessionStart = [{ hooks = [{ type = "command", command = "echo mine" }] }]\n';
  writeFileSync(join(home.user, '.codex', 'config.toml'), inline);
  const claude = cli(['agents', 'install', 'claude'], home.env);
  assert.equal(claude.code, 1);
  assert.match(claude.stderr, /^lifeline: cannot edit .*settings\.json: it is not valid JSON/);
  const codex = cli(['agents', 'install', 'codex'], home.env);
  assert.equal(codex.code, 1);
  assert.match(codex.stderr, /cannot add lifeline's hook to .*config\.toml: its hooks are written in a form lifeline cannot append to/);
  assert.equal(readFileSync(join(home.user, '.claude', 'settings.json'), 'utf8'), commented);
  assert.equal(readFileSync(join(home.user, '.codex', 'config.toml'), 'utf8'), inline);
  assert.deepEqual(backups(join(home.user, '.codex')), []);
  assert.equal(cli(['agents', 'install', 'cursor'], home.env).code, 2, 'an unknown agent is a usage error');
});

test('without AGENT only agents whose folder exists; CLAUDE_CONFIG_DIR and CODEX_HOME are honoured', () => {
  const home = makeAgentHome([]);
  const none = cli(['agents', 'install'], home.env);
  assert.equal(none.code, 0);
  assert.match(none.stdout, /^no agent configuration found/);
  const claudeDir = join(home.dir, 'claude-config');
  const codexDir = join(home.dir, 'codex-home');
  mkdirSync(claudeDir);
  mkdirSync(codexDir);
  const env = { ...home.env, CLAUDE_CONFIG_DIR: claudeDir, CODEX_HOME: codexDir };
  const result = cliJson<AgentsJson>(['agents', 'install'], env);
  assert.deepEqual(result.agents.map((a) => [a.agent, a.file]), [['claude', join(claudeDir, 'settings.json')], ['codex', join(codexDir, 'config.toml')]]);
  assert.match(readFileSync(join(codexDir, 'config.toml'), 'utf8'), new RegExp(`hooks\\.state\\."${realpathSync(codexDir)}/config\\.toml:session_start:0:0"`));
  assert.equal(existsSync(join(home.user, '.claude')), false);
});
