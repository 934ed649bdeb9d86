/**
 * lifeline's hook entries in each agent's own user configuration: claude and gemini keep hooks in a
 * JSON `settings.json` (json-settings.ts), codex in `config.toml` (codex-toml.ts: `[[hooks.SessionStart]]`,
 * plus a trust entry without which codex stops on "Hooks need review").
 *
 * Edits are merges made as text: the user's settings and hooks stay as they are, byte for byte; only
 * lifeline's own entries are added, replaced or removed.
 */
import { agentFolder, hookConfigFile } from '../agents/homes.js';
import type { AgentName } from '../agents/known.js';
import { editCodexToml } from './codex-toml.js';
import { type ConfigEdit, type HookTarget, hookCommand, hookEntries } from './hook-entries.js';
import { editJsonSettings } from './json-settings.js';

export { codexTrustedHash, codexTrustKey } from './codex-toml.js';
export { type ConfigEdit, type HookState, type HookTarget, hookCommand, isLifelineHook } from './hook-entries.js';


export interface AgentConfigPlan {
  readonly agent: AgentName;
  readonly folder: string;
  readonly folderExists: boolean;
  /** The configuration file, as the agent names it (it may be the user's symlink). */
  readonly file: string;
  readonly command: string;
  /** The file's text when the plan was made (null: no file); the edit was computed from it. */
  readonly before: string | null;
  readonly edit: ConfigEdit;
}

/** The path codex itself uses in trust keys: `$CODEX_HOME` resolved, else `~/.codex`. */
export function codexConfigPath(env: NodeJS.ProcessEnv, realpath: (path: string) => string): string {
  const folder = agentFolder('codex', env);
  const chosen = (env['CODEX_HOME'] ?? '').trim() !== '';
  let resolved = folder;
  if (chosen) {
    try {
      resolved = realpath(folder);
    } catch {
      resolved = folder;
    }
  }
  return `${resolved}/config.toml`;
}

export interface ConfigIo {
  readonly env: NodeJS.ProcessEnv;
  read(path: string): string | null;
  exists(path: string): boolean;
  realpath(path: string): string;
}

/** What installing (or uninstalling) lifeline's hook would change for one agent. */
export function planAgentConfig(agent: AgentName, target: HookTarget, install: boolean, io: ConfigIo): AgentConfigPlan {
  const folder = agentFolder(agent, io.env);
  const file = hookConfigFile(agent, io.env);
  const entries = hookEntries(agent, target);
  const text = io.read(file);
  const edit =
    agent === 'codex'
      ? editCodexToml(file, codexConfigPath(io.env, io.realpath), text, entries, install)
      : editJsonSettings(agent, file, text, entries, install);
  return { agent, folder, folderExists: io.exists(folder), file, command: hookCommand(agent, target), before: text, edit };
}
