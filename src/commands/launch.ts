import { defineCommand, parseArgs } from 'citty';
import { splitAtDashes } from '../argv.js';
import { LifelineError } from '../errors.js';
import { parseBinding } from '../lifecycle/bindings.js';
import type { LaunchSpec } from '../lifecycle/launch.js';
import { checkName, defaultName } from '../lifecycle/names.js';
import { splitShellWords } from '../lifecycle/template.js';
import { printLine, visible } from '../output.js';
import { startLife } from '../lifecycle/start.js';
import { launchReserved } from './launch-reserved.js';
import { describeStarted, modeFromFlags, reportGhost, tmuxArg } from './modes.js';
import { dbArg, repeatedOption, withStore } from './shared.js';

const args = {
  name: { type: 'positional', required: false, description: 'instance name (default: the command name and a free number)' },
  detach: { type: 'boolean', description: 'run in its own session, output to $LIFELINE_HOME/logs/NAME.log' },
  tag: { type: 'string', description: 'a free-form label shown by list' },
  resume: { type: 'string', description: "how to resume it, e.g. 'claude --resume {session}'", valueHint: 'template' },
  bind: { type: 'string', description: 'a binding to start with (repeatable)', valueHint: 'kind=value' },
  ...tmuxArg,
  reserved: { type: 'string', description: 'internal: run the life that --tmux reserved', valueHint: 'created_at' },
  'resumed-from': { type: 'string', description: 'internal: with --reserved, the snapshot it resumes', valueHint: 'event id' },
  ...dbArg,
} as const;

export default defineCommand({
  meta: { name: 'launch', description: 'Start a program and track it: lifeline launch [NAME] [options] -- CMD [ARGS...]' },
  args,
  async run({ rawArgs }) {
    const split = splitAtDashes(rawArgs);
    const reserved = split === null ? parseArgs<typeof args>(rawArgs, args) : null;
    if (typeof reserved?.reserved === 'string') return launchReserved({ ...reserved, reserved: reserved.reserved });
    if (split === null) throw new LifelineError('usage', 'put -- before the command: lifeline launch [NAME] [options] -- CMD [ARGS...]');
    const argv = split.program;
    if (argv.length === 0 || argv[0] === '') throw new LifelineError('usage', 'no command after --');
    // Parsed again without the program's own words, which citty would otherwise read as positionals.
    const own = parseArgs<typeof args>(split.own, args);
    if (own._.length > 1) throw new LifelineError('usage', `unexpected ${JSON.stringify(own._[1])} before --`);
    const bindings = repeatedOption(rawArgs, 'bind').map(parseBinding);
    const resumeArgv = typeof own.resume === 'string' ? splitShellWords(own.resume) : null;
    if (resumeArgv !== null && resumeArgv.length === 0) throw new LifelineError('usage', '--resume needs a command template');
    if (typeof own.name === 'string') checkName(own.name);
    const mode = modeFromFlags(rawArgs, { detach: own.detach === true }) ?? { kind: 'foreground' };

    return withStore(own, 'create', async ({ ctx, paths }) => {
      const name = typeof own.name === 'string' ? own.name : defaultName(argv[0]!, new Set(ctx.store.knownNames()));
      const spec: LaunchSpec = {
        name,
        argv,
        cwd: process.cwd(),
        tag: typeof own.tag === 'string' && own.tag !== '' ? own.tag : null,
        resumeArgv,
        detached: mode.kind === 'detached',
        bindings,
        resumedFrom: null,
        by: 'user',
      };
      const started = await startLife(ctx, spec, mode, paths, reportGhost);
      if (started.kind === 'foreground') return started.exitCode;
      printLine(visible(`${name} started (pid ${started.pid}), ${describeStarted(started)}`));
      return 0;
    });
  },
});
