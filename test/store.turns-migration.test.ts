/**
 * Schema 2 adds the `turns` table. A registry of schema 1 is read as it is by the read-only commands
 * (nothing recorded: a running agent is `unknown`), and the first write, here the agent's own hook,
 * migrates it forward.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { makeAgentHome } from './helpers/agents.js';
import { CLI, cli, cliJson } from './helpers/cli.js';
import { bindings, rows } from './helpers/db.js';
import { spawnSync } from 'node:child_process';

function schemaVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

test('a schema 1 registry: list reads it unchanged (turn unknown), the hook migrates it and records the turn', () => {
  const home = makeAgentHome();
  // Detached, an agent must not be interactive: `claude -p` (it is an agent all the same, with a pre-assigned session).
  const launched = cli(['launch', 'old', '--detach', '--', 'claude', '-p', 'summarize'], home.env, { cwd: home.project });
  assert.equal(launched.code, 0, launched.stderr);
  // What a lifeline from before the turns had written: migration 1 only.
  const db = new Database(home.db);
  db.exec('DROP TABLE turns');
  db.pragma('user_version = 1');
  db.close();

  const [entry] = cliJson<{ state: string; turn: string | null; turn_since: number | null }[]>(['list'], home.env);
  assert.deepEqual([entry!.state, entry!.turn, entry!.turn_since], ['running', 'unknown', null]);
  assert.equal(schemaVersion(home.db), 1, 'list changed nothing');

  const row = rows(home.db)[0]!;
  const session = String(bindings(home.db).find((b) => b['instance'] === 'old' && b['kind'] === 'session')!['value']);
  const payload = JSON.stringify({ session_id: session, hook_event_name: 'UserPromptSubmit', prompt: 'hi' });
  const hook = spawnSync(process.execPath, [CLI, 'hook', 'claude'], { env: { ...home.env, LIFELINE_INSTANCE_ID: String(row['marker']) }, input: payload, encoding: 'utf8' });
  assert.deepEqual([hook.status, hook.stdout], [0, '']);
  assert.equal(schemaVersion(home.db), 2);
  assert.equal(cliJson<{ turn: string }[]>(['list'], home.env)[0]!.turn, 'working');
  assert.equal(cli(['stop', 'old'], home.env).code, 0);
});
