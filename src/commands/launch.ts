import { defineCommand, parseArgs } from 'citty';
import { splitAtDashes } from '../argv.js';
import { prepareAgentLaunch } from '../agents/argv.js';
import { LifelineError } from '../errors.js';
import { parseBinding } from '../lifecycle/bindings.js';
import type { LaunchSpec } from '../lifecycle/starting/launch.js';
import { checkName, defaultName } from '../lifecycle/names.js';
import { splitShellWords, templatePlaceholders } from '../lifecycle/returning/template.js';
import { notices } from '../notices.js';
import { currentFolder } from '../argv-bytes.js';
import { printJson, printLine, visible } from '../output.js';
import { endedAtOnce, startLife } from '../lifecycle/starting/start.js';
import { launchReserved } from './plumbing/launch-reserved.js';
import { describeStarted, modeFromFlags, reportGhost, tmuxArg } from './plumbing/modes.js';
import { dbArg, jsonArg, repeatedOption, withStore } from './shared.js';

const args = {
  name: { type: 'positional', required: false, description: 'instance name (default: the command name and a free number)' },
  detach: { type: 'boolean', description: 'run in its own session, output to $LIFELINE_HOME/logs/NAME.log' },
  tag: { type: 'string', description: 'a free-form label shown by list' },
  resume: { type: 'string', description: "how to resume it, e.g. 'claude --resume {session}'", valueHint: 'template' },
  bind: { type: 'string', description: 'a binding to start with (repeatable)', valueHint: 'kind=value' },
  new: { type: 'boolean', description: 'start afresh even when NAME ended with a session that lifeline r NAME could resume' },
  ...tmuxArg,
  ...jsonArg,
  reserved: { type: 'string', description: 'internal: run the life that --tmux reserved', valueHint: 'created_at' },
  'resumed-from': { type: 'string', description: 'internal: with --reserved, the snapshot it resumes', valueHint: 'event id' },
  ...dbArg,
} as const;

/** Built-in placeholders of a resume template; any other must come from a binding. */
const BUILT_IN_PLACEHOLDERS = ['name', 'cwd', 'session'];

/** `--resume 'cmd {port}'` with no port bound yet works only if something binds it later: say so now. */
function warnUnboundPlaceholders(template: readonly string[] | null, bindings: readonly { kind: string }[], name: string): void {
  if (template === null) return;
  const known = new Set([...BUILT_IN_PLACEHOLDERS, ...bindings.map((binding) => binding.kind)]);
  for (const key of templatePlaceholders(template)) {
    if (!known.has(key)) notices.warn(`the resume template uses {${key}}, which is not bound yet; bind it before lifeline r (lifeline bind ${name} ${key}=…)`);
  }
}

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
    const userBindings = repeatedOption(rawArgs, 'bind').map(parseBinding);
    // `--resume claude --resume {session}` (quotes forgotten) would keep only the last word.
    if (repeatedOption(rawArgs, 'resume').length > 1) throw new LifelineError('usage', "--resume given twice; quote the whole template: --resume 'claude --resume {session}'");
    const explicitTemplate = typeof own.resume === 'string' ? splitShellWords(own.resume) : null;
    if (explicitTemplate !== null && explicitTemplate.length === 0) throw new LifelineError('usage', '--resume needs a command template');
    if (typeof own.name === 'string') checkName(own.name);
    const cwd = currentFolder();
    // claude/codex/gemini: a pre-assigned session id (bound before the program starts) and a resume template.
    const agent = prepareAgentLaunch(argv);
    const resumeArgv = explicitTemplate ?? agent?.resumeTemplate ?? null;
    const bindings = agent?.session != null ? [{ kind: 'session', value: agent.session }, ...userBindings] : userBindings;
    for (const option of explicitTemplate === null ? (agent?.unknownOptions ?? []) : []) {
      notices.warn(`lifeline does not know ${agent!.agent.name}'s option ${visible(option)}; the resume template keeps it as a flag (pass --resume to set the template yourself)`);
    }
    warnUnboundPlaceholders(resumeArgv, bindings, typeof own.name === 'string' ? own.name : 'NAME');
    const mode = modeFromFlags(rawArgs, { detach: own.detach === true }) ?? { kind: 'foreground' };

    return withStore(own, 'create', async ({ ctx, paths }) => {
      const name = typeof own.name === 'string' ? own.name : defaultName(argv[0]!, new Set(ctx.store.knownNames()));
      const spec: LaunchSpec = {
        name,
        argv: agent?.argv ?? argv,
        cwd,
        tag: typeof own.tag === 'string' && own.tag !== '' ? own.tag : null,
        resumeArgv,
        detached: mode.kind === 'detached',
        bindings,
        resumedFrom: null,
        by: 'user',
        registry: paths.dbChosen ? paths.db : null,
        refuseResumable: typeof own.name === 'string' && own.new !== true,
      };
      // `pid` first and `exit_code` last: the sh entry fills both in once the program has ended.
      const report = (pid: number, exitCode: number): object => ({ name, pid, argv, cwd: spec.cwd, exit_code: exitCode });
      const started = await startLife(ctx, spec, mode, paths, reportGhost, own.json === true ? report : null);
      const common = { name, pid: started.pid, argv, cwd: spec.cwd };
      if (started.kind === 'foreground') {
        // Handed off to the sh entry, which prints the report once the program has ended.
        if (own.json && started.handedOff !== true) printJson(report(started.pid, started.exitCode));
        return started.exitCode;
      }
      // A detached program that already failed (a bad option, a missing file) is not "started": say how it
      // ended. One that is already done with exit 0 simply did its job.
      const ended = started.kind === 'detached' ? await endedAtOnce(ctx, name, started.pid) : null;
      if (ended !== null && ended !== 'exit:code:0' && started.kind === 'detached') {
        throw new LifelineError('launch-failed', `${name} ended at once (${ended}); its output: ${started.logFile} (lifeline logs ${name})`);
      }
      if (own.json) printJson(started.kind === 'detached' ? { ...common, log: started.logFile } : { ...common, tmux: started.target });
      else printLine(visible(`${name} started (pid ${started.pid}), ${describeStarted(started)}`));
      return 0;
    });
  },
});
