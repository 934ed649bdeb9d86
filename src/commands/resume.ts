import { defineCommand } from 'citty';
import { join } from 'node:path';
import { launchDetached } from '../lifecycle/detach.js';
import { runForeground } from '../lifecycle/foreground.js';
import { parseBinding } from '../lifecycle/bindings.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { planResume, type ResumePlan } from '../lifecycle/resume.js';
import { notices } from '../notices.js';
import { printJson, printLine, shellJoin, visible } from '../output.js';
import { resolvePaths } from '../store/paths.js';
import { reportGhost } from './launch.js';
import { dbArg, jsonArg, openExistingForWrite, openForRead, repeatedOption } from './shared.js';

/** For an agent: whether `r` resumes its session or starts it fresh, and why (JSON fields, only for agents). */
function agentFields(plan: ResumePlan): Record<string, unknown> {
  const start = plan.agentStart;
  if (start === null || start === undefined) return {};
  return start.mode === 'fresh' ? { start: 'fresh', why: start.why } : { start: 'resume', session: start.session };
}

function dryRunLine(plan: ResumePlan): string {
  const start = plan.agentStart;
  if (start?.mode === 'fresh') return `would start ${start.agent} fresh in ${visible(plan.cwd)} (${visible(start.why)}):\n  ${shellJoin(plan.argv)}`;
  if (start?.mode === 'resume') return `would resume ${start.agent} session ${visible(start.session)} in ${visible(plan.cwd)}:\n  ${shellJoin(plan.argv)}`;
  return `would run in ${visible(plan.cwd)}:\n  ${shellJoin(plan.argv)}`;
}
import { resolve } from 'node:path';

export default defineCommand({
  meta: { name: 'resume', alias: 'r', description: 'Bring a stopped instance back in its folder, with its session' },
  args: {
    name: { type: 'positional', description: 'instance name' },
    detach: { type: 'boolean', description: 'run in its own session, output to the log' },
    'dry-run': { type: 'boolean', description: 'print the command and folder, run nothing' },
    cwd: { type: 'string', description: 'resume in this folder instead of the recorded one', valueHint: 'dir' },
    bind: { type: 'string', description: 'add or override a binding for this resume (repeatable), e.g. session=ID', valueHint: 'kind=value' },
    ...jsonArg,
    ...dbArg,
  },
  async run({ args, rawArgs }) {
    const name = checkName(args.name);
    const registry = resolvePaths(typeof args.db === 'string' ? args.db : undefined);
    const options = {
      cwd: typeof args.cwd === 'string' ? resolve(args.cwd) : null,
      detached: args.detach === true,
      bind: repeatedOption(rawArgs, 'bind').map(parseBinding),
      registry: registry.dbChosen ? registry.db : null,
    };

    if (args['dry-run']) {
      const { ctx } = openForRead(args);
      if (ctx === null) throw unknownNameError(name, [], 'stopped instance');
      try {
        const plan = planResume(ctx, name, { ...options, dryRun: true });
        if (args.json) printJson({ name, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, detached: options.detached, ...agentFields(plan) });
        else printLine(dryRunLine(plan));
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
      if (plan.agentStart?.mode === 'fresh') notices.info(`${name}: ${visible(plan.agentStart.why)}; starting ${plan.agentStart.agent} fresh in ${visible(plan.cwd)}`);
      if (options.detached) {
        const logFile = join(paths.logs, `${name}.log`);
        const started = await launchDetached(ctx, plan.spec, { db: paths.db, logFile }, reportGhost);
        if (args.json) printJson({ name, pid: started.pid, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, log: logFile });
        else printLine(`${name} resumed (pid ${started.pid}), detached in ${visible(plan.cwd)}; output: ${visible(logFile)}`);
        return 0;
      }
      const result = await runForeground(ctx, plan.spec, reportGhost);
      if (args.json) printJson({ name, pid: result.pid, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, exit_code: result.exitCode });
      return result.exitCode;
    } finally {
      ctx.store.close();
    }
  },
});
