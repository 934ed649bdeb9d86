/**
 * lifeline's hook entries in each agent's own user configuration: claude and gemini keep hooks in a
 * JSON `settings.json` (json-settings.ts), codex in `config.toml` (`[[hooks.SessionStart]]`, plus a
 * trust entry without which codex stops on "Hooks need review").
 *
 * Edits are merges: the user's settings and hooks stay as they are; only lifeline's own hook is
 * added, replaced or removed. config.toml is never re-serialized — comments and layout are the user's —
 * lifeline appends, or removes, one block between marker comments, and checks with a TOML parser that
 * the result reads as intended before anything is written.
 */
import { createHash } from 'node:crypto';
import { parse as parseToml } from 'smol-toml';
import { agentFolder, hookConfigFile } from '../agents/homes.js';
import type { AgentName } from '../agents/known.js';
import { LifelineError } from '../errors.js';
import { type ConfigEdit, type HookState, type HookTarget, hookCommand, hookEntries, isLifelineHook } from './hook-entries.js';
import { editJsonSettings } from './json-settings.js';

export { type ConfigEdit, type HookState, type HookTarget, hookCommand, isLifelineHook } from './hook-entries.js';


export const TOML_BEGIN = '# >>> lifeline hook >>> (lifeline agents install/uninstall manage this block)';
export const TOML_END = '# <<< lifeline hook <<<';

/**
 * codex's trust hash of a command hook (`command_hook_hash` in codex-rs/hooks discovery): SHA-256
 * of the compact JSON of the hook's normalized identity, keys sorted, default timeout 600.
 */
export function codexTrustedHash(command: string): string {
  const identity = { event_name: 'session_start', hooks: [{ async: false, command, timeout: 600, type: 'command' }] };
  return `sha256:${createHash('sha256').update(JSON.stringify(identity)).digest('hex')}`;
}

/** codex's key of a hook's trust entry: the config file's path, the event, the group and handler index. */
export function codexTrustKey(configPath: string, group: number, handler = 0): string {
  return `${configPath}:session_start:${group}:${handler}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- config.toml (codex) ---

/** The text without lifeline's block (and the blank line put before it). */
export function stripTomlBlock(text: string): { text: string; found: boolean } {
  const begin = text.indexOf(TOML_BEGIN.split(' (')[0]!);
  if (begin < 0) return { text, found: false };
  const endMarker = text.indexOf(TOML_END, begin);
  const end = endMarker < 0 ? text.length : text.indexOf('\n', endMarker) < 0 ? text.length : text.indexOf('\n', endMarker) + 1;
  const before = text.slice(0, begin).replace(/\n\n$/, '\n');
  return { text: before + text.slice(end), found: true };
}

/** A TOML basic string: JSON's escapes are TOML's, plus DEL, which TOML wants escaped too. */
function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\u007f/g, '\\u007F');
}

function parseConfig(file: string, text: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new LifelineError('io', `cannot edit ${file}: it does not read as TOML (${(error as Error).message.split('\n')[0]})`);
  }
}

interface CodexHooks {
  groups: { hooks?: { command?: unknown }[] }[];
  state: Record<string, { trusted_hash?: unknown } | undefined>;
}

function codexHooks(config: Record<string, unknown>): CodexHooks {
  const hooks = isObject(config['hooks']) ? config['hooks'] : {};
  return {
    groups: Array.isArray(hooks['SessionStart']) ? (hooks['SessionStart'] as CodexHooks['groups']) : [],
    state: isObject(hooks['state']) ? (hooks['state'] as CodexHooks['state']) : {},
  };
}

/** Where lifeline's hook sits in a parsed config, and whether codex trusts it. */
function codexState(config: Record<string, unknown>, configPath: string, command: string): { state: HookState; detail: string | null } {
  const { groups, state } = codexHooks(config);
  const found: { group: number; handler: number; command: string }[] = [];
  groups.forEach((group, g) =>
    (Array.isArray(group?.hooks) ? group.hooks : []).forEach((handler, h) => {
      if (isLifelineHook(handler?.command, 'codex')) found.push({ group: g, handler: h, command: String(handler.command) });
    }),
  );
  if (found.length === 0) return { state: 'missing', detail: null };
  if (found.length > 1) return { state: 'stale', detail: `${found.length} lifeline hooks where one belongs` };
  const [hook] = found as [(typeof found)[number]];
  if (hook.command !== command) return { state: 'stale', detail: `it runs ${hook.command}` };
  const trusted = state[codexTrustKey(configPath, hook.group, hook.handler)]?.trusted_hash;
  if (trusted !== codexTrustedHash(command)) return { state: 'stale', detail: 'codex does not trust it yet (its trust entry is missing or old)' };
  return { state: 'installed', detail: null };
}

function editToml(file: string, configPath: string, text: string | null, command: string, install: boolean): ConfigEdit {
  const original = text ?? '';
  const { state, detail } = codexState(parseConfig(file, original), configPath, command);
  if (install ? state === 'installed' : state === 'missing') return { state, after: null, detail, remove: false };
  const stripped = stripTomlBlock(original);
  const userConfig = parseConfig(file, stripped.text);
  const leftOver = codexHooks(userConfig).groups.flatMap((group) => (Array.isArray(group?.hooks) ? group.hooks : [])).filter((handler) => isLifelineHook(handler?.command, 'codex'));
  if (leftOver.length > 0) {
    throw new LifelineError('io', `${file} has a lifeline hook outside lifeline's block; remove it by hand, then run this again`);
  }
  if (!install) return { state, after: stripped.found ? stripped.text : null, detail, remove: text !== null && stripped.found && stripped.text === '' };
  // Appended last, so its group index is the number of SessionStart groups before it.
  const group = codexHooks(userConfig).groups.length;
  const key = codexTrustKey(configPath, group);
  const block = [
    TOML_BEGIN,
    '[[hooks.SessionStart]]',
    '[[hooks.SessionStart.hooks]]',
    'type = "command"',
    `command = ${tomlString(command)}`,
    '',
    `[hooks.state.${tomlString(key)}]`,
    `trusted_hash = "${codexTrustedHash(command)}"`,
    TOML_END,
    '',
  ].join('\n');
  const base = stripped.text.trimEnd();
  const after = base === '' ? block : `${base}\n\n${block}`;
  // The user's file may define hooks in a shape an appended table cannot extend (an inline array):
  // check that codex will read exactly our hook, trusted, before writing anything.
  let check: { state: HookState } | null = null;
  try {
    check = codexState(parseToml(after) as Record<string, unknown>, configPath, command);
  } catch {
    check = null;
  }
  if (check?.state !== 'installed') {
    throw new LifelineError('io', `cannot add lifeline's hook to ${file}: its hooks are written in a form lifeline cannot append to; add this by hand:\n${block}`);
  }
  return { state, after, detail, remove: false };
}

// --- per agent ---

export interface AgentConfigPlan {
  readonly agent: AgentName;
  readonly folder: string;
  readonly folderExists: boolean;
  /** The configuration file, as the agent names it (it may be the user's symlink). */
  readonly file: string;
  readonly command: string;
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
  const command = hookCommand(agent, target);
  const text = io.read(file);
  const edit =
    agent === 'codex'
      ? editToml(file, codexConfigPath(io.env, io.realpath), text, command, install)
      : editJsonSettings(agent, file, text, hookEntries(agent, target), install);
  return { agent, folder, folderExists: io.exists(folder), file, command, edit };
}
