/** The full CLI: citty commands, loaded lazily, and the one place where errors become exit codes. */
import { type ArgsDef, type CommandDef, renderUsage, runCommand } from 'citty';
import { checkOptions, hoistGlobals } from './argv.js';
import { readFileSync } from 'node:fs';
import { checkArgvBytes, checkEnvironmentBytes } from './argv-bytes.js';
import { helpText } from './commands/usage.js';
import { LifelineError } from './errors.js';
import { claimShellHandoff } from './lifecycle/starting/handoff.js';
import { closestNames } from './lifecycle/names.js';
import { printLine, stripAnsi } from './output.js';
import { packageJson } from './self.js';

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
  wait: load(() => import('./commands/wait.js')),
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
  wait: 'wait until agents are idle or waiting for the user, or instances stopped',
  events: 'the life log, newest first',
  init: 'print the shell snippet that reconciles once per boot',
  'login-item': 'install a login item that reconciles at login',
  doctor: 'check platform, database, permissions and hooks',
  logs: 'the output of a detached instance (-f follows it)',
  forget: 'hide stopped instances from list --all and r --all',
  show: 'one instance: row or snapshot, bindings, the command r would run, events',
  agents: "install lifeline's session and turn hooks in claude, codex and gemini (install|uninstall|status)",
  hook: "run by an agent's hooks: records its session and its turns (prints nothing)",
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
    'Every command takes --db PATH and --help; --verbose (or DEBUG=1) adds the stack trace to an unexpected error.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  claimShellHandoff(); // Out of the environment before anything can start a program.
  checkArgvBytes(argv);
  checkEnvironmentBytes();
  const { command, rest } = hoistGlobals(argv);
  if (command === '--version' || command === '-v' || command === '-V') {
    printLine(version());
    return 0;
  }
  // `lifeline help list` is `lifeline list --help`.
  if (command === 'help' && argv[argv.indexOf('help') + 1] !== undefined) return main([argv[argv.indexOf('help') + 1]!, '--help']);
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
    const rendered = stripAnsi(await renderUsage(cmd, { meta: { name: 'lifeline', version: version() } })).replace(/[ \t]+$/gm, '');
    printLine(helpText(command, rendered));
    return 0;
  }
  // Run by an agent, which waits for it: no option check, nothing on stdout, always 0.
  if (command === 'hook') return (await import('./commands/hook-run.js')).runHook(rest);
  // `launch x claude --model opus`: the missing `--` is the mistake, not claude's option (launch says so).
  if (!(command === 'launch' && !rest.includes('--'))) checkOptions(rest, (cmd.args ?? {}) as ArgsDef, command);
  try {
    const { result } = await runCommand(cmd, { rawArgs: rest });
    return typeof result === 'number' ? result : 0;
  } catch (error) {
    throw inOurWords(error, command);
  }
}

/** citty's own argument errors, reworded like the rest of lifeline's messages. */
function inOurWords(error: unknown, command: string): unknown {
  if ((error as Error | null)?.name !== 'CLIError') return error;
  const message = stripAnsi((error as Error).message);
  const missing = /^Missing required (?:positional )?argument: (\S+)$/.exec(message);
  if (missing !== null) return new LifelineError('usage', `missing ${missing[1]} (see lifeline ${command} --help)`);
  return new LifelineError('usage', message.charAt(0).toLowerCase() + message.slice(1));
}

/** cli.ts takes report from this bundle, so the guarded entry does not carry it. */
export { report } from './report.js';
