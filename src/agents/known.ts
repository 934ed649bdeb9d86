/**
 * What lifeline knows about each AI agent CLI it recognizes: plain data, measured on the real
 * programs (claude 2.1, codex 0.169, gemini 0.61). Adding the next agent means adding one entry
 * here (and, if its transcripts live somewhere new, one finder in transcripts.ts).
 */

import type { TurnState } from '../lifecycle/vocabulary.js';

export const AGENT_NAMES = ['claude', 'codex', 'gemini'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/**
 * How many words an option takes after it: `flag` none, `value` exactly one, `optional` one
 * unless the next word is an option (commander's `[value]`, yargs' strings), `variadic` every
 * word up to the next option (commander's `<values...>`, yargs arrays, clap `num_args = 1..`).
 */
export type Arity = 'flag' | 'value' | 'optional' | 'variadic';

/**
 * A hook event that moves an agent's turn state (SPEC §14): its `hook_event_name`, which is also the
 * key its hook is configured under, and the state it means. Only events that fire once per turn or
 * less: a hook on every tool call would start Node at every tool call.
 */
export interface TurnEvent {
  readonly event: string;
  /** Only when this payload field has this value (a Notification's `notification_type`). */
  readonly when?: { readonly field: string; readonly equals: string };
  readonly turn: Exclude<TurnState, 'unknown'>;
}

export interface AgentKnowledge {
  readonly name: AgentName;
  /** Every option lifeline knows, by each of its spellings. An unknown option is taken as a flag. */
  readonly options: Readonly<Record<string, Arity>>;
  /** Options that choose which session runs: never kept in a resume template. */
  readonly sessionOptions: readonly string[];
  /** Options that carry an initial prompt: never kept in a resume template either. */
  readonly promptOptions: readonly string[];
  /** Options lifeline writes itself into the resume template, so the user's copy is dropped. */
  readonly replacedOptions: readonly string[];
  /** Subcommands that choose a session (codex `resume`, `fork`). */
  readonly sessionSubcommands: readonly string[];
  /** Subcommands that are no conversation (`claude mcp`, `codex login`): launched as plain commands. */
  readonly otherSubcommands: readonly string[];
  /** The option that starts a new session with an id lifeline chose, where the agent has one. */
  readonly presetSessionOption: string | null;
  /** Flags lifeline adds unless given (codex `--no-daemon`: its daemon runs hooks with another environment). */
  readonly requiredFlags: readonly string[];
  /**
   * Whether the command the user runs hands the session to a child of its own that runs the hooks
   * (codex: a Node wrapper starts the native binary; gemini relaunches itself), at once at start.
   */
  readonly runsInChild: boolean;
  /**
   * The events that move the turn state, measured on the real CLI where it could be triggered
   * offline, from its documentation where not (a permission prompt needs a model's tool call).
   * SessionStart is not here: it binds the session, and a new session starts `idle`.
   */
  readonly turnEvents: readonly TurnEvent[];
  /** The default resume template, from the command word and the options kept from the launch. */
  resumeTemplate(command: string, kept: readonly string[]): string[];
}

const claude: AgentKnowledge = {
  name: 'claude',
  // From `claude --help` of 2.1.197 (commander: `<v>` value, `[v]` optional, `<v...>` variadic).
  options: {
    '--add-dir': 'variadic', '--agent': 'value', '--agents': 'value', '--allow-dangerously-skip-permissions': 'flag',
    '--allowedTools': 'variadic', '--allowed-tools': 'variadic', '--append-system-prompt': 'value', '--ax-screen-reader': 'flag',
    '--bg': 'flag', '--background': 'flag', '--bare': 'flag', '--betas': 'variadic', '--brief': 'flag', '--chrome': 'flag',
    '-c': 'flag', '--continue': 'flag', '--dangerously-skip-permissions': 'flag', '-d': 'optional', '--debug': 'optional',
    '--debug-file': 'value', '--disable-slash-commands': 'flag', '--disallowedTools': 'variadic', '--disallowed-tools': 'variadic',
    '--effort': 'value', '--exclude-dynamic-system-prompt-sections': 'flag', '--fallback-model': 'value', '--file': 'variadic',
    '--fork-session': 'flag', '--from-pr': 'optional', '-h': 'flag', '--help': 'flag', '--ide': 'flag',
    '--include-hook-events': 'flag', '--include-partial-messages': 'flag', '--input-format': 'value', '--json-schema': 'value',
    '--max-budget-usd': 'value', '--mcp-config': 'variadic', '--model': 'value', '-n': 'value', '--name': 'value',
    '--no-chrome': 'flag', '--no-session-persistence': 'flag', '--output-format': 'value', '--permission-mode': 'value',
    '--plugin-dir': 'value', '--plugin-url': 'value', '-p': 'flag', '--print': 'flag', '--prompt-suggestions': 'optional',
    '--remote-control': 'optional', '--remote-control-session-name-prefix': 'value', '--replay-user-messages': 'flag',
    '-r': 'optional', '--resume': 'optional', '--safe-mode': 'flag', '--session-id': 'value', '--setting-sources': 'value',
    '--settings': 'value', '--strict-mcp-config': 'flag', '--system-prompt': 'value', '--tmux': 'flag', '--tools': 'variadic',
    '--verbose': 'flag', '-v': 'flag', '--version': 'flag', '-w': 'optional', '--worktree': 'optional',
    // Older or hidden spellings still accepted by some versions.
    '--system-prompt-file': 'value', '--append-system-prompt-file': 'value', '--max-turns': 'value', '--permission-prompt-tool': 'value',
  },
  sessionOptions: ['--session-id', '-r', '--resume', '-c', '--continue', '--fork-session', '--from-pr'],
  promptOptions: [],
  replacedOptions: [],
  sessionSubcommands: [],
  otherSubcommands: [
    'agents', 'auth', 'auto-mode', 'doctor', 'gateway', 'install', 'mcp', 'plugin', 'plugins', 'project', 'setup-token',
    'ultrareview', 'update', 'upgrade', 'config', 'migrate-installer',
  ],
  presetSessionOption: '--session-id',
  requiredFlags: [],
  runsInChild: false,
  // Esc during a turn fires nothing at all: the state stays `working` until the next event or the end.
  turnEvents: [
    { event: 'UserPromptSubmit', turn: 'working' },
    { event: 'Stop', turn: 'idle' },
    // A turn the API ended (after its retries); also ends a turn no prompt began (a `!` command's).
    { event: 'StopFailure', turn: 'idle' },
    { event: 'PermissionRequest', turn: 'waiting' },
    { event: 'Notification', when: { field: 'notification_type', equals: 'permission_prompt' }, turn: 'waiting' },
    // An MCP server asks the user a question (docs).
    { event: 'Notification', when: { field: 'notification_type', equals: 'elicitation_dialog' }, turn: 'waiting' },
    // Sent 60 s after a turn ended with the user not back: also clears a `working` an Esc left.
    { event: 'Notification', when: { field: 'notification_type', equals: 'idle_prompt' }, turn: 'idle' },
    // `/clear` (then a SessionStart of the new id) and quit: no turn runs on.
    { event: 'SessionEnd', turn: 'idle' },
  ],
  resumeTemplate: (command, kept) => [command, ...kept, '--resume', '{session}'],
};

const codex: AgentKnowledge = {
  name: 'codex',
  // From `codex --help` and `codex resume --help` of 0.169.0 (clap).
  options: {
    '-c': 'value', '--config': 'value', '--enable': 'value', '--disable': 'value', '--remote': 'value',
    '--remote-auth-token-env': 'value', '--strict-config': 'flag', '-i': 'variadic', '--image': 'variadic',
    '-m': 'value', '--model': 'value', '--oss': 'flag', '--local-provider': 'value', '-p': 'value', '--profile': 'value',
    '-s': 'value', '--sandbox': 'value', '--approve-for-me': 'flag', '--dangerously-bypass-approvals-and-sandbox': 'flag',
    '--dangerously-bypass-hook-trust': 'flag', '-C': 'value', '--cd': 'value', '--worktree': 'flag', '--add-dir': 'value',
    '-a': 'value', '--ask-for-approval': 'value', '--search': 'flag', '--no-alt-screen': 'flag', '--no-daemon': 'flag',
    '--last': 'flag', '--all': 'flag', '--include-non-interactive': 'flag', '-h': 'flag', '--help': 'flag',
    '-V': 'flag', '--version': 'flag', '--full-auto': 'flag', '--yolo': 'flag',
  },
  sessionOptions: ['--last', '--all', '--include-non-interactive'],
  promptOptions: [],
  // The template sets both itself: `--no-daemon -C {cwd}` (codex resumes in the folder it is told).
  replacedOptions: ['--no-daemon', '-C', '--cd'],
  sessionSubcommands: ['resume', 'fork'],
  otherSubcommands: [
    'agents', 'exec', 'e', 'review', 'login', 'logout', 'mcp', 'plugin', 'app-server', 'remote-control', 'completion',
    'update', 'doctor', 'sandbox', 'debug', 'apply', 'a', 'queue', 'archive', 'delete', 'migrate-rollouts', 'migrate-nfs-db',
    'unarchive', 'cloud', 'exec-server', 'features', 'help', 'mcp-server', 'app', 'responses-api-proxy', 'stdio-to-uds',
  ],
  presetSessionOption: null,
  requiredFlags: ['--no-daemon'],
  runsInChild: true,
  turnEvents: [
    { event: 'UserPromptSubmit', turn: 'working' },
    { event: 'Stop', turn: 'idle' },
    // Esc during a turn, 40 ms after the key.
    { event: 'Interrupt', turn: 'idle' },
    { event: 'PermissionRequest', turn: 'waiting' },
  ],
  resumeTemplate: (command, kept) => [command, '--no-daemon', '-C', '{cwd}', ...kept, 'resume', '{session}'],
};

const gemini: AgentKnowledge = {
  name: 'gemini',
  // From `gemini --help` of 0.61.0 (yargs: strings take the next word, arrays every word up to an option).
  options: {
    '-d': 'flag', '--debug': 'flag', '-m': 'value', '--model': 'value', '-p': 'value', '--prompt': 'value',
    '-i': 'value', '--prompt-interactive': 'value', '--skip-trust': 'flag', '-w': 'optional', '--worktree': 'optional',
    '-s': 'flag', '--sandbox': 'flag', '-y': 'flag', '--yolo': 'flag', '--approval-mode': 'value', '--policy': 'variadic',
    '--admin-policy': 'variadic', '--acp': 'flag', '--experimental-acp': 'flag', '--allowed-mcp-server-names': 'variadic',
    '--allowed-tools': 'variadic', '-e': 'variadic', '--extensions': 'variadic', '-l': 'flag', '--list-extensions': 'flag',
    '-r': 'optional', '--resume': 'optional', '--session-file': 'value', '--session-id': 'value', '--list-sessions': 'flag',
    '--delete-session': 'value', '--include-directories': 'variadic', '--screen-reader': 'flag', '-o': 'value',
    '--output-format': 'value', '--raw-output': 'flag', '--accept-raw-output-risk': 'flag', '-v': 'flag', '--version': 'flag',
    '-h': 'flag', '--help': 'flag',
  },
  sessionOptions: ['--session-id', '-r', '--resume', '--session-file'],
  promptOptions: ['-p', '--prompt', '-i', '--prompt-interactive'],
  replacedOptions: [],
  sessionSubcommands: [],
  otherSubcommands: ['mcp', 'extensions', 'extension', 'skills', 'skill', 'hooks', 'hook', 'gemma'],
  presetSessionOption: '--session-id',
  requiredFlags: [],
  runsInChild: true,
  turnEvents: [
    { event: 'BeforeAgent', turn: 'working' },
    // The end of a turn, and Esc during one (`prompt_response: "[no response text]"`).
    { event: 'AfterAgent', turn: 'idle' },
    { event: 'Notification', when: { field: 'notification_type', equals: 'ToolPermission' }, turn: 'waiting' },
  ],
  resumeTemplate: (command, kept) => [command, ...kept, '--resume', '{session}'],
};

export const AGENTS: Readonly<Record<AgentName, AgentKnowledge>> = { claude, codex, gemini };

export function isAgentName(name: string): name is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(name);
}
