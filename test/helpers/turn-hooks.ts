import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENTS, type AgentName } from '../../src/agents/known.js';
import type { AgentHome } from './agents.js';
import { CLI } from './cli.js';

/**
 * Writes lifeline's hooks, SessionStart and every turn event of src/agents/known.ts, into the
 * agent's own settings in the test's HOME, in the shape `lifeline agents install` writes them (the
 * same command: node, cli.cjs, `hook <agent>`, shell-quoted; codex trust hashed on its own). The
 * turn tests own these files, so they test the hook whatever the editing code does.
 */
export function writeTurnHooks(home: AgentHome, agent: AgentName): string {
  const command = [process.execPath, CLI, 'hook', agent].map(shellWord).join(' ');
  const events = ['SessionStart', ...new Set(AGENTS[agent].turnEvents.map((known) => known.event))];
  if (agent === 'codex') {
    const file = join(home.user, '.codex', 'config.toml');
    const blocks = events.map((event) => `[[hooks.${event}]]\n[[hooks.${event}.hooks]]\ntype = "command"\ncommand = ${JSON.stringify(command)}\n`);
    const trust = events.map((event) => `[hooks.state.${JSON.stringify(`${file}:${codexLabel(event)}:0:0`)}]\ntrusted_hash = "${codexTrustedHash(event, command)}"\n`);
    writeFileSync(file, [...blocks, ...trust].join('\n'));
    return file;
  }
  const file = join(home.user, `.${agent}`, 'settings.json');
  const hooks: Record<string, unknown[]> = {};
  for (const event of events) hooks[event] = [{ hooks: [{ type: 'command', command }] }];
  writeFileSync(file, `${JSON.stringify({ hooks }, null, 2)}\n`);
  return file;
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_/.:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** codex's name of an event in its trust keys and hashes: SessionStart → session_start. */
function codexLabel(event: string): string {
  return event.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

/** codex hashes the timeout it will use: 1 s by default for Interrupt and SessionEnd, else 600 (measured on codex 0.169). */
function codexTrustedHash(event: string, command: string): string {
  const timeout = event === 'Interrupt' || event === 'SessionEnd' ? 1 : 600;
  const identity = { event_name: codexLabel(event), hooks: [{ async: false, command, timeout, type: 'command' }] };
  return `sha256:${createHash('sha256').update(JSON.stringify(identity)).digest('hex')}`;
}
