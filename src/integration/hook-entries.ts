/**
 * What lifeline writes into an agent's configuration: a list of hook entries, each an event and the
 * command lifeline runs for it: `SessionStart`, then the agent's turn events (src/agents/known.ts).
 * The file editors (json-settings.ts, codex-toml.ts) handle any list.
 */
import { AGENTS, type AgentName } from '../agents/known.js';

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

/**
 * The entries lifeline installs for an agent: one per event, all running the same command (the hook
 * reads the event from its input). A Notification hook gets no matcher: it fires for the agent's few
 * notifications, and the hook ignores the types that move no state.
 */
export function hookEntries(agent: AgentName, target: HookTarget): HookEntry[] {
  const command = hookCommand(agent, target);
  const events = ['SessionStart', ...new Set(AGENTS[agent].turnEvents.map((known) => known.event))];
  return events.map((event) => ({ event, command }));
}

const SAFE = 'A-Za-z0-9_/.:=@%+,-';

/**
 * The words of a command written the way `hookCommand` writes one — plain words of SAFE characters
 * and single-quoted parts, one space apart — or null for anything else (`&&`, `;`, `~`, `$`, double
 * quotes, tabs): such a command is a shell script of the user's, not an entry of lifeline's.
 */
function shellWords(command: string): string[] | null {
  const word = new RegExp(`(?:[${SAFE}]+|'[^']*'|\\\\')+`, 'y');
  const words: string[] = [];
  for (let at = 0; at < command.length; ) {
    word.lastIndex = at;
    const match = word.exec(command);
    if (match === null) return null;
    words.push(match[0].replace(/'([^']*)'|\\'/g, (_all, inner: string | undefined) => inner ?? "'"));
    at = word.lastIndex;
    if (at < command.length && command[at++] !== ' ') return null;
  }
  return words;
}

/**
 * Whether a hook command is an entry of lifeline's (any version, any path): exactly
 * `[<node>] <…/cli.cjs|…/cli.js|…/lifeline> hook <agent> [--db <path>]`. A user's own command that
 * merely calls lifeline among other things (`lifeline hook claude && sync-notes`) is the user's.
 */
export function isLifelineHook(command: unknown, agent: AgentName): boolean {
  if (typeof command !== 'string') return false;
  const words = shellWords(command);
  if (words === null) return false;
  const hook = words.indexOf('hook');
  if (hook < 1 || hook > 2 || words[hook + 1] !== agent) return false;
  const rest = words.slice(hook + 2);
  if (!(rest.length === 0 || (rest.length === 2 && rest[0] === '--db'))) return false;
  const program = words[hook - 1]!.split('/').pop()!;
  return hook === 2 ? /^cli\.c?js$/.test(program) : program === 'lifeline' || /^cli\.c?js$/.test(program);
}
