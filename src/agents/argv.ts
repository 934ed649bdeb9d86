/**
 * Reading and rewriting an agent's command line: which session it selects, the `--session-id`
 * lifeline pre-assigns, and the default resume template (the options kept, the session-selecting
 * ones and the initial prompt dropped). Pure functions over argv arrays.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { AGENTS, type AgentKnowledge, isAgentName } from './known.js';

/** One option as written, with the words it took (`--model opus`, `--model=opus`, `--add-dir a b`). */
interface OptionUse {
  readonly name: string;
  readonly words: readonly string[];
  /** Its value, when it took one. */
  readonly value: string | null;
}

interface ParsedArgs {
  readonly options: readonly OptionUse[];
  readonly positionals: readonly string[];
  /** The first positional when it names a subcommand of the agent. */
  readonly subcommand: string | null;
  /** Options the agent is not known to have (taken as flags). */
  readonly unknown: readonly string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** The agent a command line runs, by the base name of its command (`/usr/local/bin/claude` → claude). */
export function agentOf(argv: readonly string[]): AgentKnowledge | null {
  const command = argv[0];
  if (command === undefined) return null;
  const name = basename(command);
  return isAgentName(name) ? AGENTS[name] : null;
}

/** The options that run an agent without its terminal UI (codex's `exec` is one of its other subcommands). */
const HEADLESS_OPTIONS: Readonly<Record<AgentKnowledge['name'], readonly string[]>> = { claude: ['-p', '--print'], codex: [], gemini: ['-p', '--prompt'] };

/**
 * The agent a command line runs as an interactive conversation (claude without `-p`/`--print`, codex
 * without `exec` or another non-conversation subcommand, gemini without `-p`/`--prompt`), or null. Such
 * a program draws its UI on a terminal and waits for keys: detached, it has neither.
 */
export function interactiveAgent(argv: readonly string[]): AgentKnowledge['name'] | null {
  const agent = agentOf(argv);
  if (agent === null) return null;
  const parsed = parseAgentArgs(agent, argv.slice(1));
  if (parsed.subcommand !== null && agent.otherSubcommands.includes(parsed.subcommand)) return null;
  const headless = HEADLESS_OPTIONS[agent.name];
  if (parsed.options.some((option) => headless.includes(option.name))) return null;
  return agent.name;
}

function isOptionWord(word: string): boolean {
  return word.length > 1 && word.startsWith('-') && !/^-\d/.test(word);
}

/** Reads the arguments after the command word the way the agent's own parser would. */
export function parseAgentArgs(agent: AgentKnowledge, args: readonly string[]): ParsedArgs {
  const options: OptionUse[] = [];
  const positionals: string[] = [];
  const unknown: string[] = [];
  let subcommand: string | null = null;
  let endOfOptions = false;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (endOfOptions || !isOptionWord(word)) {
      if (subcommand === null && positionals.length === 0 && !endOfOptions && isSubcommand(agent, word)) subcommand = word;
      positionals.push(word);
      continue;
    }
    if (word === '--') {
      endOfOptions = true;
      continue;
    }
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const name = eq > 0 ? word.slice(0, eq) : word;
    const arity = agent.options[name];
    if (arity === undefined) unknown.push(name);
    if (eq > 0) {
      options.push({ name, words: [word], value: word.slice(eq + 1) });
      continue;
    }
    const taken: string[] = [];
    const next = (): string | undefined => args[i + 1];
    if (arity === 'value' && next() !== undefined) taken.push(args[++i]!);
    else if (arity === 'optional' && next() !== undefined && !isOptionWord(next()!)) taken.push(args[++i]!);
    else if (arity === 'variadic') while (next() !== undefined && !isOptionWord(next()!)) taken.push(args[++i]!);
    options.push({ name, words: [word, ...taken], value: taken[0] ?? null });
  }
  return { options, positionals, subcommand, unknown };
}

function isSubcommand(agent: AgentKnowledge, word: string): boolean {
  return agent.sessionSubcommands.includes(word) || agent.otherSubcommands.includes(word);
}

/** The options a resume keeps: everything but session choice, initial prompts and what the template sets itself. */
function keptOptions(agent: AgentKnowledge, parsed: ParsedArgs): string[] {
  const dropped = new Set([...agent.sessionOptions, ...agent.promptOptions, ...agent.replacedOptions]);
  return parsed.options.filter((option) => !dropped.has(option.name)).flatMap((option) => option.words);
}

/** What `launch` does with an agent's command line. */
export interface AgentLaunch {
  readonly agent: AgentKnowledge;
  /** The command line to run (and record): with `--session-id <uuid>` or `--no-daemon` added. */
  readonly argv: string[];
  /** The session this launch runs, when known before it starts (pre-assigned or named by the user). */
  readonly session: string | null;
  /** The default resume template. */
  readonly resumeTemplate: string[];
  /** Options lifeline does not know for this agent; they were kept as flags. */
  readonly unknownOptions: readonly string[];
}

/**
 * Prepares an agent's command line for launch. Null when the command is no agent, or runs one of
 * the agent's non-conversation subcommands (`claude mcp …`, `codex login`), which are launched as
 * they are.
 */
export function prepareAgentLaunch(argv: readonly string[], newId: () => string = randomUUID): AgentLaunch | null {
  const agent = agentOf(argv);
  if (agent === null) return null;
  const [command, ...args] = argv as [string, ...string[]];
  const parsed = parseAgentArgs(agent, args);
  if (parsed.subcommand !== null && agent.otherSubcommands.includes(parsed.subcommand)) return null;

  const added: string[] = [];
  let session = namedSession(agent, parsed);
  const choosesSession = parsed.options.some((o) => agent.sessionOptions.includes(o.name)) || parsed.subcommand !== null;
  if (agent.presetSessionOption !== null && !choosesSession) {
    session = newId();
    added.push(agent.presetSessionOption, session);
  }
  for (const flag of agent.requiredFlags) {
    if (!parsed.options.some((o) => o.name === flag)) added.push(flag);
  }
  return {
    agent,
    argv: [command, ...added, ...args],
    session,
    resumeTemplate: agent.resumeTemplate(command, keptOptions(agent, parsed)),
    unknownOptions: parsed.unknown,
  };
}

/** The session a command line names itself: `--session-id X`, or a resume of X that does not fork. */
function namedSession(agent: AgentKnowledge, parsed: ParsedArgs): string | null {
  const option = (name: string): OptionUse | undefined => parsed.options.find((o) => o.name === name);
  const explicit = agent.presetSessionOption === null ? undefined : option(agent.presetSessionOption)?.value;
  if (explicit !== undefined && explicit !== null) return explicit;
  if (option('--fork-session') !== undefined) return null;
  const resumed = option('--resume')?.value ?? option('-r')?.value;
  if (agent.name !== 'codex' && resumed !== undefined && resumed !== null && isUuid(resumed)) return resumed;
  if (parsed.subcommand === 'resume') {
    const id = parsed.positionals[1];
    if (id !== undefined && isUuid(id)) return id;
  }
  return null;
}

/**
 * The command line that starts the agent afresh, in place of a resume that cannot work: the
 * recorded command's kept options (no session choice, no initial prompt), prepared like a launch —
 * so claude and gemini get a new pre-assigned id, codex its `--no-daemon`.
 */
export function freshAgentStart(recordedArgv: readonly string[], newId: () => string = randomUUID): AgentLaunch | null {
  const agent = agentOf(recordedArgv);
  if (agent === null) return null;
  const [command, ...args] = recordedArgv as [string, ...string[]];
  const parsed = parseAgentArgs(agent, args);
  const kept = parsed.options
    .filter((o) => !agent.sessionOptions.includes(o.name) && !agent.promptOptions.includes(o.name))
    .flatMap((o) => o.words);
  return prepareAgentLaunch([command, ...kept], newId);
}
