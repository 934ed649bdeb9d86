/** The full CLI: citty commands, loaded lazily, and the one place where errors become exit codes. */
import { type ArgsDef, type CommandDef, renderUsage, runCommand } from 'citty';
import { readFileSync } from 'node:fs';
import { checkArgvBytes, checkEnvironmentBytes } from './commands/bytes.js';
import { exitCodeFor, LifelineError } from './errors.js';
import { claimShellHandoff } from './lifecycle/handoff.js';
import { closestNames } from './lifecycle/names.js';
import { printLine, visible } from './output.js';
import { packageJson } from './self.js';
import { lastOpenedDatabase } from './store/open.js';
import { describeSqliteError } from './store/sqlite-errors.js';

type Loader = () => Promise<CommandDef<ArgsDef>>;

const load =
  (importer: () => Promise<{ default: unknown }>): Loader =>
  async () =>
    (await importer()).default as CommandDef<ArgsDef>;

/** Loaded lazily: starting lifeline loads only the command that runs (`r` and `resume` share one). */
const resume = load(() => import('./commands/resume.js'));
const COMMANDS: Record<string, Loader> = {
  launch: load(() => import('./commands/launch.js')),
  track: load(() => import('./commands/track.js')),
  bind: load(() => import('./commands/bind.js')),
  unbind: load(() => import('./commands/unbind.js')),
  list: load(() => import('./commands/list.js')),
  stop: load(() => import('./commands/stop.js')),
  reconcile: load(() => import('./commands/reconcile.js')),
  r: resume,
  resume,
  events: load(() => import('./commands/events.js')),
  init: load(() => import('./commands/init.js')),
  'login-item': load(() => import('./commands/login-item.js')),
  doctor: load(() => import('./commands/doctor.js')),
  logs: load(() => import('./commands/logs.js')),
  forget: load(() => import('./commands/forget.js')),
  show: load(() => import('./commands/show.js')),
  hook: load(() => import('./commands/hook.js')),
  agents: load(() => import('./commands/agents.js')),
};

const DESCRIPTIONS: Record<string, string> = {
  launch: 'start a program and track it',
  track: 'register an already-running process',
  bind: 'attach bindings (session=…) to an instance',
  unbind: 'remove bindings',
  list: 'show instances with their verified state',
  stop: 'stop instances through the one stop path',
  reconcile: 'once per boot: stop every instance whose process did not survive',
  'r, resume': 'bring a stopped instance back, in its folder, with its session',
  events: 'the life log, newest first',
  init: 'print the shell snippet that reconciles once per boot',
  'login-item': 'install a login item that reconciles at login',
  doctor: 'check platform, database, permissions and hooks',
  logs: 'the output of a detached instance (-f follows it)',
  forget: 'hide stopped instances from list --all and r --all',
  show: 'one instance: row or snapshot, bindings, the command r would run, events',
  agents: "install lifeline's session hook in claude, codex and gemini (install|uninstall|status)",
  hook: "run by an agent's start hook: records its session (prints nothing)",
};

function version(): string {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  return pkg.version;
}

function rootUsage(): string {
  const width = Math.max(...Object.keys(DESCRIPTIONS).map((name) => name.length));
  const lines = Object.entries(DESCRIPTIONS).map(([name, text]) => `  ${name.padEnd(width)}  ${text}`);
  return [
    `lifeline ${version()}: a registry of long-running terminal programs that never shows ghosts`,
    '',
    'Usage: lifeline [--db PATH] <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --db PATH and --help.',
  ].join('\n');
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** citty accepts any flag silently; a mistyped one should be a usage error, not ignored. */
function checkOptions(words: readonly string[], argsDef: ArgsDef, command: string): void {
  const end = words.indexOf('--');
  const own = end < 0 ? words : words.slice(0, end);
  const defs = new Map(Object.entries(argsDef).map(([name, def]) => [name, def] as const));
  // Short aliases (`logs -f -n 20`) are options too.
  const aliases = new Map(
    Object.entries(argsDef).flatMap(([name, def]) => [('alias' in def ? def.alias : undefined) ?? []].flat().map((alias) => [alias, name] as const)),
  );
  for (let i = 0; i < own.length; i++) {
    const word = own[i]!;
    // `-1` is no option of lifeline's and no name either: refused, never silently dropped.
    if (!word.startsWith('-') || word === '-') continue;
    const body = word.replace(/^--?/, '');
    const [flag, inline] = body.includes('=') ? [body.slice(0, body.indexOf('=')), body.slice(body.indexOf('=') + 1)] : [body, undefined];
    if (flag === 'verbose') continue;
    const short = !word.startsWith('--') && aliases.has(flag);
    const def = short ? defs.get(aliases.get(flag)!) : (defs.get(flag) ?? defs.get(camel(flag)) ?? (flag.startsWith('no-') ? defs.get(flag.slice(3)) : undefined));
    if (def === undefined || def.type === 'positional' || (!word.startsWith('--') && !short)) {
      throw new LifelineError('usage', `unknown option ${word.split('=')[0]} for lifeline ${command} (see lifeline ${command} --help)`);
    }
    if (def.type === 'string' && inline === undefined) {
      if (own[i + 1] === undefined) throw new LifelineError('usage', `${word} needs a value`);
      i++;
    }
  }
}

/** `lifeline --db x list` means `lifeline list --db x`: global options may come before the command. */
function hoistGlobals(argv: string[]): { command: string | undefined; rest: string[] } {
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--db' && argv[i + 1] !== undefined) globals.push(word, argv[++i]!);
    else if (word.startsWith('--db=') || word === '--verbose') globals.push(word);
    else break;
  }
  return { command: argv[i], rest: [...globals, ...argv.slice(i + 1)] };
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001B\[[0-9;]*m/g, '');
}

export async function main(argv: string[]): Promise<number> {
  claimShellHandoff(); // Out of the environment before anything can start a program.
  checkArgvBytes(argv);
  checkEnvironmentBytes();
  const { command, rest } = hoistGlobals(argv);
  if (command === '--version' || command === '-v') {
    printLine(version());
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    printLine(rootUsage());
    return command === undefined ? 2 : 0;
  }
  const loader = COMMANDS[command];
  if (loader === undefined) {
    const close = closestNames(command, Object.keys(COMMANDS));
    throw new LifelineError('usage', `unknown command ${JSON.stringify(command)}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}`);
  }
  const cmd = await loader();
  const end = rest.indexOf('--');
  const own = end < 0 ? rest : rest.slice(0, end);
  if (own.includes('--help') || own.includes('-h')) {
    printLine(stripAnsi(await renderUsage(cmd, { meta: { name: 'lifeline', version: version() } })).replace(/[ \t]+$/gm, ''));
    return 0;
  }
  // Run by an agent, which waits for it: no option check, nothing on stdout, always 0.
  if (command === 'hook') return (await import('./commands/hook-run.js')).runHook(rest);
  // `launch x claude --model opus`: the missing `--` is the mistake, not claude's option (launch says so).
  if (!(command === 'launch' && !rest.includes('--'))) checkOptions(rest, (cmd.args ?? {}) as ArgsDef, command);
  const { result } = await runCommand(cmd, { rawArgs: rest });
  return typeof result === 'number' ? result : 0;
}

export function report(error: unknown, verbose: boolean): number {
  const sqlite = describeSqliteError(error, lastOpenedDatabase() ?? 'the database');
  const known = error instanceof LifelineError ? error : sqlite;
  if (known !== null) {
    process.stderr.write(`lifeline: ${visible(known.message)}\n`);
    if (verbose && known.stack !== undefined) process.stderr.write(`${known.stack}\n`);
    return exitCodeFor(known);
  }
  if ((error as Error | null)?.name === 'CLIError') {
    process.stderr.write(`lifeline: ${visible(stripAnsi((error as Error).message))}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`lifeline: unexpected error: ${visible(message.split('\n')[0]!)}\n`);
  if (verbose) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
  return 1;
}

