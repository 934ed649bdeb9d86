import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRoot, NOBODY } from './helpers/as-nobody.js';
import { makeAgentHome } from './helpers/agents.js';
import { cli } from './helpers/cli.js';

const needsRoot = { skip: isRoot ? false : 'needs root to make files of another user' };
const ONE_LINE = /^lifeline: [^\n]+\n$/;

test("root with another user's HOME (sudo -E): that user's settings, folder or HOME are refused in one line, nothing written", needsRoot, () => {
  const home = makeAgentHome(['claude', 'codex']);
  const claude = join(home.user, '.claude', 'settings.json');
  writeFileSync(claude, '{ "model": "opus" }\n');
  chownSync(claude, NOBODY, NOBODY);
  chmodSync(claude, 0o600);
  chownSync(join(home.user, '.claude'), NOBODY, NOBODY);
  const refused = cli(['agents', 'install', 'claude'], home.env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, ONE_LINE);
  assert.match(refused.stderr, /belongs to another user \(uid 65534, you are uid 0\); lifeline refuses it/);
  const stats = statSync(claude);
  assert.deepEqual([stats.uid, stats.gid, stats.mode & 0o777], [NOBODY, NOBODY, 0o600]);
  assert.equal(readFileSync(claude, 'utf8'), '{ "model": "opus" }\n');
  assert.deepEqual(readdirSync(join(home.user, '.claude')), ['settings.json'], 'no backup, no temp file');

  // A folder of theirs with no file yet, and their HOME with no agent folder yet: nothing is created.
  chownSync(join(home.user, '.codex'), NOBODY, NOBODY);
  const codex = cli(['agents', 'install', 'codex'], home.env);
  assert.equal(codex.code, 1);
  assert.match(codex.stderr, /^lifeline: the folder \S+\.codex belongs to another user/);
  assert.deepEqual(readdirSync(join(home.user, '.codex')), []);
  chownSync(home.user, NOBODY, NOBODY);
  const gemini = cli(['agents', 'install', 'gemini'], home.env);
  assert.equal(gemini.code, 1);
  assert.match(gemini.stderr, /^lifeline: the folder \S+user belongs to another user/);
  assert.equal(existsSync(join(home.user, '.gemini')), false);

  // One refused agent stops the whole command before any file is written.
  chownSync(home.user, 0, 0);
  const mixed = cli(['agents', 'install', 'gemini', 'claude'], home.env);
  assert.equal(mixed.code, 1);
  assert.equal(existsSync(join(home.user, '.gemini')), false);
});

test('an edited file keeps its inode (a hard-linked dotfiles copy sees the change), owner and mode; uninstall gives both names the old bytes', () => {
  const home = makeAgentHome(['claude', 'codex']);
  const dotfiles = join(home.dir, 'dotfiles');
  mkdirSync(dotfiles);
  const original = '{\n  "model": "opus"\n}\n';
  writeFileSync(join(dotfiles, 'claude.json'), original);
  chmodSync(join(dotfiles, 'claude.json'), 0o640);
  const settings = join(home.user, '.claude', 'settings.json');
  linkSync(join(dotfiles, 'claude.json'), settings);
  writeFileSync(join(home.user, '.codex', 'config.toml'), 'model = "o3"\n');
  chmodSync(join(home.user, '.codex', 'config.toml'), 0o644);
  const before = statSync(settings);
  const codexBefore = statSync(join(home.user, '.codex', 'config.toml'));

  assert.equal(cli(['agents', 'install'], home.env).code, 0);
  const after = statSync(settings);
  assert.deepEqual([after.ino, after.uid, after.mode & 0o777, after.nlink], [before.ino, before.uid, 0o640, 2]);
  assert.match(readFileSync(join(dotfiles, 'claude.json'), 'utf8'), /hook claude/, 'the other name sees the change');
  assert.equal(statSync(join(home.user, '.codex', 'config.toml')).ino, codexBefore.ino);
  assert.equal(statSync(join(home.user, '.codex', 'config.toml')).mode & 0o777, 0o644);
  assert.deepEqual(readdirSync(join(home.user, '.claude')).filter((name) => name.endsWith('.tmp')), [], 'no temp file');

  assert.equal(cli(['agents', 'uninstall'], home.env).code, 0);
  assert.equal(statSync(settings).ino, before.ino);
  assert.equal(readFileSync(join(dotfiles, 'claude.json'), 'utf8'), original);
  assert.equal(readFileSync(join(home.user, '.codex', 'config.toml'), 'utf8'), 'model = "o3"\n');
});

test('a read-only settings file (no write bit) is refused, also for root, and left untouched', () => {
  const home = makeAgentHome(['gemini']);
  const file = join(home.user, '.gemini', 'settings.json');
  writeFileSync(file, '{}\n');
  chmodSync(file, 0o444);
  const result = cli(['agents', 'install', 'gemini'], home.env);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^lifeline: cannot edit \S+settings\.json: it is read-only \(no write bit\); lifeline leaves it untouched/);
  assert.match(result.stderr, ONE_LINE);
  assert.equal(readFileSync(file, 'utf8'), '{}\n');
  assert.equal(statSync(file).mode & 0o777, 0o444);
  assert.equal(cli(['agents', 'install', 'gemini', '--dry-run'], home.env).code, 0, 'a dry run writes nothing, so it may look');
});
