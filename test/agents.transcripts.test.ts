import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { chooseAgentStart } from '../src/agents/resume-choice.js';
import { transcriptState } from '../src/agents/transcripts.js';

const ID = '0b7e6a52-9d4f-4c1e-8a7b-3f2d1c0e9a88';
const OTHER = '0b7e6a52-0000-4000-8000-000000000000'; // The same first 8 characters.

function tempHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-agents-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

test('claude: found by id under any project folder, whatever the cwd was mapped to', () => {
  const home = tempHome();
  const env = { HOME: home };
  assert.equal(transcriptState('claude', ID, env), 'unknown', 'no ~/.claude at all: unsure');
  mkdirSync(join(home, '.claude'));
  assert.equal(transcriptState('claude', ID, env), 'absent', 'no projects yet: nothing was ever typed');
  // claude maps every non-alphanumeric character of /home/u/my_app.v2 to '-': never derive it, find it.
  write(join(home, '.claude', 'projects', '-home-u-my-app-v2', `${OTHER}.jsonl`), '{}\n');
  assert.equal(transcriptState('claude', ID, env), 'absent');
  write(join(home, '.claude', 'projects', '-home-u-my-app-v2', `${ID}.jsonl`), '{"type":"user"}\n');
  assert.equal(transcriptState('claude', ID, env), 'present');
  assert.equal(transcriptState('claude', '../../etc/passwd', env), 'unknown', 'an id that is a path is never looked up');
});

test('claude: CLAUDE_CONFIG_DIR is where claude keeps its projects', () => {
  const home = tempHome();
  const config = join(home, 'elsewhere');
  write(join(config, 'projects', '-w', `${ID}.jsonl`), '{}\n');
  assert.equal(transcriptState('claude', ID, { HOME: home, CLAUDE_CONFIG_DIR: config }), 'present');
  assert.equal(transcriptState('claude', ID, { HOME: home }), 'unknown');
});

test('claude: an unreadable project folder makes the answer unsure', { skip: process.getuid?.() === 0 ? 'root reads every folder' : false }, () => {
  const home = tempHome();
  const project = join(home, '.claude', 'projects', '-p');
  mkdirSync(project, { recursive: true });
  chmodSync(project, 0o000);
  after(() => chmodSync(project, 0o700));
  assert.equal(transcriptState('claude', ID, { HOME: home }), 'unknown');
});

test('codex: found by id in the dated folders; CODEX_HOME moves them', () => {
  const home = tempHome();
  mkdirSync(join(home, '.codex', 'sessions'), { recursive: true });
  assert.equal(transcriptState('codex', ID, { HOME: home }), 'absent');
  write(join(home, '.codex', 'sessions', '2026', '11', '25', `rollout-2026-11-25T10-00-00-${OTHER}.jsonl`), '{}\n');
  assert.equal(transcriptState('codex', ID, { HOME: home }), 'absent');
  write(join(home, '.codex', 'sessions', '2026', '11', '25', `rollout-2026-11-25T10-01-00-${ID}.jsonl`), '{}\n');
  assert.equal(transcriptState('codex', ID, { HOME: home }), 'present');
  const moved = join(home, 'codex-home');
  mkdirSync(moved);
  assert.equal(transcriptState('codex', ID, { HOME: home, CODEX_HOME: moved }), 'absent');
});

test('gemini: the chat file exists from the start, but only a typed prompt makes it resumable', () => {
  const home = tempHome();
  const chats = join(home, '.gemini', 'tmp', 'my-project', 'chats');
  mkdirSync(join(home, '.gemini', 'tmp'), { recursive: true });
  assert.equal(transcriptState('gemini', ID, { HOME: home }), 'absent');
  const file = join(chats, `session-2026-11-25T10-00-${ID.slice(0, 8)}.jsonl`);
  // As gemini 0.61 writes it at start: metadata, then its own context as a "user" message.
  const start = [
    { sessionId: ID, projectHash: 'x', startTime: 'now', lastUpdated: 'now', kind: 'main' },
    { $set: { messages: [{ id: 'c1', timestamp: 'now', type: 'user', content: [{ text: '<session_context>\nThis is the Gemini CLI.' }] }] } },
  ];
  const lines = (records: unknown[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');
  write(file, lines(start));
  assert.equal(transcriptState('gemini', ID, { HOME: home }), 'absent', 'started, nothing typed');
  write(file, lines([...start, { id: 'm1', timestamp: 'now', type: 'user', content: [{ text: '/help' }] }, { id: 'm2', type: 'info', content: 'help text' }]));
  assert.equal(transcriptState('gemini', ID, { HOME: home }), 'absent', 'a slash command is no conversation');
  write(file, lines([...start, { id: 'm3', timestamp: 'now', type: 'user', content: [{ text: 'explain this repo' }] }]));
  assert.equal(transcriptState('gemini', ID, { HOME: home }), 'present');
  assert.equal(transcriptState('gemini', OTHER, { HOME: home }), 'absent', 'same first 8, another session');
  write(file, `${lines(start)}{"id":"m4","type":"us`);
  assert.equal(transcriptState('gemini', ID, { HOME: home }), 'unknown', 'half-written: unsure');
  // The older single-JSON format, and GEMINI_CLI_HOME.
  const moved = join(home, 'g');
  write(join(moved, '.gemini', 'tmp', 'p', 'chats', `session-x-${ID.slice(0, 8)}.json`), JSON.stringify({ sessionId: ID, messages: [{ type: 'user', content: 'hi' }] }));
  assert.equal(transcriptState('gemini', ID, { HOME: home, GEMINI_CLI_HOME: moved }), 'present');
});

test('r of an agent: fresh when never bound or surely no transcript, else resume', () => {
  const home = tempHome();
  mkdirSync(join(home, '.claude'));
  const env = { HOME: home };
  const template = ['claude', '--resume', '{session}'];
  const argv = ['claude', '--session-id', ID, 'a prompt'];
  const newId = (): string => 'new-id';
  const never = chooseAgentStart({ argv, template, session: undefined, sessionGiven: false, env, newId });
  assert.equal(never?.mode, 'fresh');
  assert.deepEqual(never?.mode === 'fresh' && never.launch.argv, ['claude', '--session-id', 'new-id']);
  const absent = chooseAgentStart({ argv, template, session: ID, sessionGiven: false, env, newId });
  assert.equal(absent?.mode, 'fresh');
  const given = chooseAgentStart({ argv, template, session: ID, sessionGiven: true, env, newId });
  assert.equal(given?.mode, 'resume', 'a session the user names for this resume is trusted');
  write(join(home, '.claude', 'projects', '-x', `${ID}.jsonl`), '{}\n');
  assert.deepEqual(chooseAgentStart({ argv, template, session: ID, sessionGiven: false, env, newId }), { mode: 'resume', agent: 'claude', session: ID });
  assert.equal(chooseAgentStart({ argv: ['sleep', '1'], template, session: undefined, sessionGiven: false, env }), null, 'no agent');
  assert.equal(chooseAgentStart({ argv, template: ['claude', '--continue'], session: undefined, sessionGiven: false, env }), null, 'template needs no session');
});
