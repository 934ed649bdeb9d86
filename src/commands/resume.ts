import { defineCommand } from 'citty';
import { resolve } from 'node:path';
import { LifelineError } from '../errors.js';
import { parseBinding } from '../lifecycle/bindings.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { prepareResume, type ResumePlan } from '../lifecycle/returning/resume.js';
import { type LaunchMode, rememberedMode, startLife, whereOf } from '../lifecycle/starting/start.js';
import { notices } from '../notices.js';
import { printJson, printLine, shellJoin, visible } from '../output.js';
import { resolvePaths } from '../store/paths.js';
import { describeStarted, modeFromFlags, reportGhost, tmuxArg } from './plumbing/modes.js';
import { restoreAll } from './restore.js';
import { dbArg, jsonArg, repeatedOption, withStore } from './shared.js';

function describeMode(mode: LaunchMode, where: string | null): string {
  if (mode.kind === 'tmux') return `in tmux window ${where}`;
  if (mode.kind === 'detached') return `detached (output: ${where})`;
  return 'in this terminal';
}

/** For an agent: whether `r` resumes its session or starts it fresh, and why (JSON fields, only for agents). */
function agentFields(plan: ResumePlan): Record<string, unknown> {
  const start = plan.agentStart;
  if (start === null || start === undefined) return {};
  return start.mode === 'fresh' ? { start: 'fresh', why: start.why } : { start: 'resume', session: start.session };
}

/** `would run …` for any program; for an agent, whether its session is resumed or it starts fresh. */
function dryRunLine(plan: ResumePlan, how: string): string {
  const start = plan.agentStart;
  const command = `:\n  ${shellJoin(plan.argv)}`;
  if (start?.mode === 'fresh') return `would start ${start.agent} fresh ${how}, in ${visible(plan.cwd)} (${visible(start.why)})${command}`;
  if (start?.mode === 'resume') return `would resume ${start.agent} session ${visible(start.session)} ${how}, in ${visible(plan.cwd)}${command}`;
  return `would run ${how}, in ${visible(plan.cwd)}${command}`;
}

export default defineCommand({
  meta: { name: 'resume', alias: 'r', description: 'Bring a stopped instance back in its folder, with its session (r --all: the whole boot)' },
  args: {
    name: { type: 'positional', required: false, description: 'instance name' },
    all: { type: 'boolean', description: 'everything that was running when the last boot ended (needs --detach or --tmux)' },
    foreground: { type: 'boolean', description: 'run in this terminal, whatever the instance did before' },
    detach: { type: 'boolean', description: 'run in its own session, output to the log' },
    ...tmuxArg,
    'dry-run': { type: 'boolean', description: 'print the command and folder, run nothing' },
    cwd: { type: 'string', description: 'resume in this folder instead of the recorded one', valueHint: 'dir' },
    bind: { type: 'string', description: 'add or override a binding for this resume (repeatable), e.g. session=ID', valueHint: 'kind=value' },
    spacing: { type: 'string', description: 'with --all: seconds between two starts (default 1)', valueHint: 's' },
    settle: { type: 'string', description: 'with --all: a program that ends sooner than this after its start failed (default 3; 0: off)', valueHint: 's' },
    boot: { type: 'string', description: 'with --all: what was running when this boot ended, instead of the last one', valueHint: 'id' },
    ...jsonArg,
    ...dbArg,
  },
  async run({ args, rawArgs }) {
    if (args.all === true) return restoreAll(args, rawArgs);
    if (typeof args.spacing === 'string' || typeof args.boot === 'string' || typeof args.settle === 'string') {
      throw new LifelineError('usage', '--spacing, --settle and --boot go with --all');
    }
    if (args.name === undefined || args.name === '') throw new LifelineError('usage', 'missing NAME: lifeline r NAME brings one back, lifeline r --all --tmux the whole last boot');
    const name = checkName(args.name);
    const asked = modeFromFlags(rawArgs, { detach: args.detach === true, foreground: args.foreground === true });
    const cwd = typeof args.cwd === 'string' ? resolve(args.cwd) : null;
    const chosen = resolvePaths(typeof args.db === 'string' ? args.db : undefined);
    const agentOptions = { bind: repeatedOption(rawArgs, 'bind').map(parseBinding), registry: chosen.dbChosen ? chosen.db : null };
    const unknownStopped = (): never => {
      throw unknownNameError(name, [], 'stopped instance');
    };

    if (args['dry-run']) {
      withStore(args, 'read', ({ ctx, paths }) => {
        const mode = asked ?? rememberedMode(ctx, name);
        const plan = prepareResume(ctx, name, { cwd, detached: mode.kind === 'detached', dryRun: true, ...agentOptions });
        const where = whereOf(mode, name, paths);
        if (args.json) {
          const tmux = mode.kind === 'tmux' ? mode.session : null;
          printJson({ name, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, detached: mode.kind === 'detached', tmux, ...agentFields(plan) });
        } else printLine(dryRunLine(plan, describeMode(mode, where)));
      }, unknownStopped);
      return 0;
    }

    return withStore(args, 'write', async ({ ctx, paths }) => {
      const mode = asked ?? rememberedMode(ctx, name);
      const plan = prepareResume(ctx, name, { cwd, detached: mode.kind === 'detached', dryRun: false, ...agentOptions });
      if (plan.agentStart?.mode === 'fresh') notices.info(`${name}: ${visible(plan.agentStart.why)}; starting ${plan.agentStart.agent} fresh in ${visible(plan.cwd)}`);
      const report = (pid: number, exitCode: number): object => ({ name, pid, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom, exit_code: exitCode });
      const started = await startLife(ctx, plan.spec, mode, paths, reportGhost, args.json ? report : null);
      const common = { name, pid: started.pid, argv: plan.argv, cwd: plan.cwd, resumed_from: plan.resumedFrom };
      if (started.kind === 'foreground') {
        // Handed off to the sh entry, which prints the report once the program has ended.
        if (args.json && started.handedOff !== true) printJson(report(started.pid, started.exitCode));
        return started.exitCode;
      }
      if (args.json) printJson(started.kind === 'detached' ? { ...common, log: started.logFile } : { ...common, tmux: started.target });
      else if (started.kind === 'detached') printLine(visible(`${name} resumed (pid ${started.pid}), detached in ${plan.cwd}; output: ${started.logFile}`));
      else printLine(visible(`${name} resumed (pid ${started.pid}) in ${plan.cwd}, ${describeStarted(started)}`));
      return 0;
    }, unknownStopped);
  },
});
