/**
 * What lifeline knows about each AI agent CLI it recognizes: plain data, measured on the real
 * programs (claude 2.1, codex 0.169, gemini 0.61). Adding the next agent means adding one entry
 * here (and, if its transcripts live somewhere new, one finder in transcripts.ts).
 */

export const AGENT_NAMES = ['claude', 'codex', 'gemini'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

/**
 * How many words an option takes after it: `flag` none, `value` exactly one, `optional` one
 * unless the next word is an option (commander's `[value]`, yargs' strings), `variadic` every
 * word up to the next option (commander's `<values...>`, yargs arrays, clap `num_args = 1..`).
 */
export type Arity = 'flag' | 'value' | 'optional' | 'variadic';

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
  /** The default resume template, from the command word and the options kept from the launch. */
  resumeTemplate(command: string, kept: readonly string[]): string[];
}

const claude: AgentKnowledge = {
  name: 'claude',
  options: {
    '-d': 'optional', '--debug': 'optional', '--debug-file': 'value', '--verbose': 'flag', '-p': 'flag', '--print': 'flag',
    '--output-format': 'value', '--json-schema': 'value', '--include-partial-messages': 'flag', '--input-format': 'value',
    '--mcp-debug': 'flag', '--dangerously-skip-permissions': 'flag', '--allow-dangerously-skip-permissions': 'flag',
    '--max-budget-usd': 'value', '--max-turns': 'value', '--replay-user-messages': 'flag',
    '--allowedTools': 'variadic', '--allowed-tools': 'variadic', '--tools': 'variadic',
    '--disallowedTools': 'variadic', '--disallowed-tools': 'variadic', '--mcp-config': 'variadic',
    '--system-prompt': 'value', '--system-prompt-file': 'value', '--append-system-prompt': 'value',
    '--append-system-prompt-file': 'value', '--permission-mode': 'value', '--permission-prompt-tool': 'value',
    '-c': 'flag', '--continue': 'flag', '-r': 'optional', '--resume': 'optional', '--fork-session': 'flag',
    '--no-session-persistence': 'flag', '--model': 'value', '--agent': 'value', '--agents': 'value',
    '--betas': 'variadic', '--fallback-model': 'value', '--settings': 'value', '--setting-sources': 'value',
    '--add-dir': 'variadic', '--plugin-dir': 'variadic', '--ide': 'flag', '--strict-mcp-config': 'flag',
    '--session-id': 'value', '--disable-slash-commands': 'flag', '--chrome': 'flag', '--no-chrome': 'flag',
    '-v': 'flag', '--version': 'flag', '-h': 'flag', '--help': 'flag',
  },
  sessionOptions: ['--session-id', '-r', '--resume', '-c', '--continue', '--fork-session'],
  promptOptions: [],
  replacedOptions: [],
  sessionSubcommands: [],
  otherSubcommands: ['mcp', 'plugin', 'plugins', 'config', 'doctor', 'update', 'upgrade', 'install', 'migrate-installer', 'setup-token'],
  presetSessionOption: '--session-id',
  requiredFlags: [],
  resumeTemplate: (command, kept) => [command, ...kept, '--resume', '{session}'],
};

const codex: AgentKnowledge = {
  name: 'codex',
  options: {
    '-c': 'value', '--config': 'value', '--enable': 'value', '--disable': 'value', '-i': 'variadic', '--image': 'variadic',
    '-m': 'value', '--model': 'value', '--oss': 'flag', '--local-provider': 'value', '-p': 'value', '--profile': 'value',
    '-s': 'value', '--sandbox': 'value', '-a': 'value', '--ask-for-approval': 'value', '--full-auto': 'flag',
    '--dangerously-bypass-approvals-and-sandbox': 'flag', '--yolo': 'flag', '-C': 'value', '--cd': 'value',
    '--search': 'flag', '--add-dir': 'value', '--no-alt-screen': 'flag', '--no-daemon': 'flag', '--last': 'flag',
    '--all': 'flag', '-h': 'flag', '--help': 'flag', '-V': 'flag', '--version': 'flag',
  },
  sessionOptions: ['--last', '--all'],
  promptOptions: [],
  // The template sets both itself: `--no-daemon -C {cwd}` (codex resumes in the folder it is told).
  replacedOptions: ['--no-daemon', '-C', '--cd'],
  sessionSubcommands: ['resume', 'fork'],
  otherSubcommands: [
    'exec', 'e', 'review', 'login', 'logout', 'mcp', 'mcp-server', 'app-server', 'app', 'completion', 'sandbox', 'debug',
    'apply', 'a', 'cloud', 'features', 'responses-api-proxy', 'stdio-to-uds', 'help',
  ],
  presetSessionOption: null,
  requiredFlags: ['--no-daemon'],
  resumeTemplate: (command, kept) => [command, '--no-daemon', '-C', '{cwd}', ...kept, 'resume', '{session}'],
};

const gemini: AgentKnowledge = {
  name: 'gemini',
  options: {
    '-m': 'value', '--model': 'value', '-p': 'value', '--prompt': 'value', '-i': 'value', '--prompt-interactive': 'value',
    '-s': 'flag', '--sandbox': 'flag', '--sandbox-image': 'value', '-d': 'flag', '--debug': 'flag', '-a': 'flag',
    '--all-files': 'flag', '-y': 'flag', '--yolo': 'flag', '--approval-mode': 'value', '--policy': 'variadic',
    '--allowed-mcp-server-names': 'variadic', '--allowed-tools': 'variadic', '-e': 'variadic', '--extensions': 'variadic',
    '-l': 'flag', '--list-extensions': 'flag', '--include-directories': 'variadic', '--screen-reader': 'flag',
    '-o': 'value', '--output-format': 'value', '--experimental-acp': 'flag', '-r': 'optional', '--resume': 'optional',
    '--list-sessions': 'flag', '--delete-session': 'value', '--session-id': 'value', '--proxy': 'value',
    '--show-memory-usage': 'flag', '--fake-responses': 'value', '--record-responses': 'value',
    '-v': 'flag', '--version': 'flag', '-h': 'flag', '--help': 'flag',
  },
  sessionOptions: ['--session-id', '-r', '--resume'],
  promptOptions: ['-p', '--prompt', '-i', '--prompt-interactive'],
  replacedOptions: [],
  sessionSubcommands: [],
  otherSubcommands: ['mcp', 'extensions', 'extension', 'skills', 'skill', 'hooks', 'hook'],
  presetSessionOption: '--session-id',
  requiredFlags: [],
  resumeTemplate: (command, kept) => [command, ...kept, '--resume', '{session}'],
};

export const AGENTS: Readonly<Record<AgentName, AgentKnowledge>> = { claude, codex, gemini };

export function isAgentName(name: string): name is AgentName {
  return (AGENT_NAMES as readonly string[]).includes(name);
}
