import { defineCommand } from 'citty';
import { resolve } from 'node:path';
import { LifelineError } from '../errors.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { prepareResume } from '../lifecycle/resume.js';
import { type LaunchMode, rememberedMode, startLife, whereOf } from '../lifecycle/start.js';
import { printJson, printLine, shellJoin, visible } from '../output.js';
import { describeStarted, modeFromFlags, reportGhost, tmuxArg } from './modes.js';
import { restoreAll } from './restore.js';
import { dbArg, jsonArg, withStore } from './shared.js';

function describeMode(mode: LaunchMode, where: string | null): string {
  if (mode.kind === 'tmux') return `in tmux window ${where}`;
  if (mode.kind === 'detached') return `detached (output: ${where})`;
  return 'in this terminal';
}

export default defineCommand({
  meta: { name: 'resume', alias: 'r', description: 'Bring a stopped instance back in its folder, with its session (r --all: the whole boot)' },
  args: {
    name: { type: 'positional', required: false, description: 'instance name' },
    all: { type: 'boolean', description: 'every instance the newest reconcile pass stopped (needs --detach or --tmux)' },
    foreground: { type: 'boolean', description: 'run in this terminal, whatever the instance did before' },
    detach: { type: 'boolean', description: 'run in its own session, output to the log' },
    ...tmuxArg,
    'dry-run': { type: 'boolean', description: 'print the command and folder, run nothing' },
    cwd: { type: 'string', description: 'resume in this folder instead of the recorded one', valueHint: 'dir' },
    spacing: { type: 'string', description: 'with --all: seconds between two starts (default 1)', valueHint: 's' },
    boot: { type: 'string', description: 'with --all: the pass of this boot id instead of the newest', valueHint: 'id' },
    ...jsonArg,
    ...dbArg,
  },
  async run({ args, rawArgs }) {
    if (args.all === true) return restoreAll(args, rawArgs);
    if (typeof args.spacing === 'string' || typeof args.boot === 'string') throw new LifelineError('usage', '--spacing and --boot go with --all');
    const name = checkName(args.name);
    const asked = modeFromFlags(rawArgs, { detach: args.detach === true, foreground: args.foreground === true });
    const cwd = typeof args.cwd === 'string' ? resolve(args.cwd) : null;
    const unknownStopped = (): never => {
      throw unknownNameError(name, [], 'stopped instance');
    };

    if (args['dry-run']) {
      withStore(args, 'read', ({ ctx, paths }) => {
        const mode = asked ?? rememberedMode(ctx, name);
        const plan = prepareResume(ctx, name, { cwd, detached: mode.kind === 'detached', dryRun: true });
        const where = whereOf(mode, name, paths);
        if (args.json) {
          const tmux = mode.kind === 'tmux' ? mode.session : null;
          printJson({ name, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, detached: mode.kind === 'detached', tmux });
        } else printLine(`would run ${describeMode(mode, where)}, in ${visible(plan.cwd)}:\n  ${shellJoin(plan.argv)}`);
      }, unknownStopped);
      return 0;
    }

    return withStore(args, 'write', async ({ ctx, paths }) => {
      const mode = asked ?? rememberedMode(ctx, name);
      const plan = prepareResume(ctx, name, { cwd, detached: mode.kind === 'detached', dryRun: false });
      const started = await startLife(ctx, plan.spec, mode, paths, reportGhost);
      const common = { name, pid: started.pid, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom };
      if (started.kind === 'foreground') {
        if (args.json) printJson({ ...common, exit_code: started.exitCode });
        return started.exitCode;
      }
      if (args.json) printJson(started.kind === 'detached' ? { ...common, log: started.logFile } : { ...common, tmux: started.target });
      else if (started.kind === 'detached') printLine(visible(`${name} resumed (pid ${started.pid}), detached in ${plan.cwd}; output: ${started.logFile}`));
      else printLine(visible(`${name} resumed (pid ${started.pid}) in ${plan.cwd}, ${describeStarted(started)}`));
      return 0;
    }, unknownStopped);
  },
});
