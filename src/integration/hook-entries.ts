/**
 * What lifeline writes into an agent's configuration: a list of hook entries, each an event and the
 * command lifeline runs for it. Today one, `SessionStart`; turn hooks add entries here, and the file
 * editors (json-settings.ts, codex-toml.ts) handle any list.
 */
import type { AgentName } from '../agents/known.js';

/** What the hook runs: absolute paths, frozen at install time like the shell snippet. */
export interface HookTarget {
  readonly node: string;
  readonly cli: string;
  /** `--db PATH` when the database was chosen at install time. */
  readonly db: string | null;
}

export interface HookEntry {
  /** The agent's event name, as its configuration spells it (`SessionStart`). */
  readonly event: string;
  readonly command: string;
}

export type HookState = 'installed' | 'missing' | 'stale';

export interface ConfigEdit {
  readonly state: HookState;
  /** The new content; null when the file needs no change. */
  readonly after: string | null;
  /** Why the state is `stale`, for status and doctor. */
  readonly detail: string | null;
  /** Nothing is left but what install created from no file: the file goes. */
  readonly remove: boolean;
}

/** POSIX single quotes when a word needs them: the agents run hook commands through a shell. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_/.:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function hookCommand(agent: AgentName, target: HookTarget): string {
  const words = [target.node, target.cli, 'hook', agent, ...(target.db === null ? [] : ['--db', target.db])];
  return words.map(shellWord).join(' ');
}

/** The entries lifeline installs for an agent. */
export function hookEntries(agent: AgentName, target: HookTarget): HookEntry[] {
  return [{ event: 'SessionStart', command: hookCommand(agent, target) }];
}

/** A hook command lifeline wrote (any version, any path): `… <…cli.cjs|lifeline> hook <agent> …`. */
export function isLifelineHook(command: unknown, agent: AgentName): boolean {
  if (typeof command !== 'string') return false;
  return new RegExp(`(^|[\\s'/])(cli\\.c?js|lifeline)'?\\s+hook\\s+${agent}(\\s|$)`).test(command);
}
