import { defineCommand } from 'citty';
import { join } from 'node:path';
import { launchDetached } from '../lifecycle/detach.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { planResume } from '../lifecycle/resume.js';
import { printJson, printLine, shellJoin, visible } from '../output.js';
import { runInForeground } from './foreground.js';
import { reportGhost } from './launch.js';
import { dbArg, jsonArg, openExistingForWrite, openForRead } from './shared.js';
import { resolve } from 'node:path';

export default defineCommand({
  meta: { name: 'resume', alias: 'r', description: 'Bring a stopped instance back in its folder, with its session' },
  args: {
    name: { type: 'positional', description: 'instance name' },
    detach: { type: 'boolean', description: 'run in its own session, output to the log' },
    'dry-run': { type: 'boolean', description: 'print the command and folder, run nothing' },
    cwd: { type: 'string', description: 'resume in this folder instead of the recorded one', valueHint: 'dir' },
    ...jsonArg,
    ...dbArg,
  },
  async run({ args }) {
    const name = checkName(args.name);
    const options = { cwd: typeof args.cwd === 'string' ? resolve(args.cwd) : null, detached: args.detach === true };

    if (args['dry-run']) {
      const { ctx } = openForRead(args);
      if (ctx === null) throw unknownNameError(name, [], 'stopped instance');
      try {
        const plan = planResume(ctx, name, { ...options, dryRun: true });
        if (args.json) printJson({ name, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, detached: options.detached });
        else printLine(`would run in ${visible(plan.cwd)}:\n  ${shellJoin(plan.argv)}`);
      } finally {
        ctx.store.close();
      }
      return 0;
    }

    const opened = openExistingForWrite(args);
    if (opened === null) throw unknownNameError(name, [], 'stopped instance');
    const { ctx, paths } = opened;
    try {
      const plan = planResume(ctx, name, { ...options, dryRun: false });
      if (options.detached) {
        const logFile = join(paths.logs, `${name}.log`);
        const started = await launchDetached(ctx, plan.spec, { db: paths.db, logFile }, reportGhost);
        if (args.json) printJson({ name, pid: started.pid, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, log: logFile });
        else printLine(`${name} resumed (pid ${started.pid}), detached in ${visible(plan.cwd)}; output: ${visible(logFile)}`);
        return 0;
      }
      const report = (pid: number, exitCode: number): object => ({ name, pid, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, exit_code: exitCode });
      return await runInForeground(ctx, plan.spec, paths, reportGhost, args.json ? report : null);
    } finally {
      ctx.store.close();
    }
  },
});
