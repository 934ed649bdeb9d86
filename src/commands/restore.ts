import { LifelineError } from '../errors.js';
import { AGENT_SPACING_MS, restoreBoot, type RestoreReport, type RestoreResult } from '../lifecycle/returning/restore.js';
import { SETTLE_MS } from '../lifecycle/returning/settle.js';
import { printJson, printLine, shellJoin, visible } from '../output.js';
import { modeFromFlags } from './plumbing/modes.js';
import { parseSeconds, withStore } from './shared.js';

interface RestoreArgs {
  name?: string | undefined;
  foreground?: boolean | undefined;
  detach?: boolean | undefined;
  cwd?: string | undefined;
  spacing?: string | undefined;
  settle?: string | undefined;
  boot?: string | undefined;
  'dry-run'?: boolean | undefined;
  json?: boolean | undefined;
  db?: string | undefined;
}

const NOTHING = 'nothing to bring back: no boot is known to have ended with programs running';
const NEEDS_MODE = 'r --all starts several programs, which cannot share one terminal: add --tmux or --detach';

function line(result: RestoreResult): string {
  // Folders, reasons and sessions come from the database; argv is already quoted (and escaped) by shellJoin.
  return visible(lineText(result));
}

function lineText(result: RestoreResult): string {
  if (result.action === 'skipped' || result.action === 'failed') return `${result.name}: ${result.action} (${result.reason})`;
  const plan = result.plan!;
  const details = [result.where?.endsWith('.log') ? `output: ${result.where}` : result.where === null ? null : `tmux ${result.where}`];
  if (plan.session !== null) details.push(`session ${plan.session}`);
  const extra = details.filter((detail) => detail !== null);
  const what = result.action === 'resumed' ? `resumed (pid ${result.pid})` : 'would resume';
  return `${result.name}: ${what} in ${plan.cwd}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}: ${shellJoin(plan.argv)}`;
}

function summary(report: RestoreReport, dryRun: boolean): string {
  const count = (action: RestoreResult['action']): number => report.results.filter((result) => result.action === action).length;
  const of = `what was running when boot ${report.bootId} ended`;
  if (dryRun) return `dry run: ${count('would-resume')} would resume, ${count('skipped')} skipped, ${count('failed')} failed (${of}); nothing was started`;
  return `${count('resumed')} resumed, ${count('skipped')} skipped, ${count('failed')} failed (${of})`;
}

/** `lifeline r --all`: brings back the set of the last ended boot (or that of `--boot`). */
export async function restoreAll(args: RestoreArgs, rawArgs: readonly string[]): Promise<number> {
  if (typeof args.name === 'string') throw new LifelineError('usage', 'r --all takes no NAME');
  if (typeof args.cwd === 'string') throw new LifelineError('usage', '--cwd goes with one NAME, not with --all');
  if (args.foreground === true) throw new LifelineError('usage', NEEDS_MODE);
  const dryRun = args['dry-run'] === true;
  const mode = modeFromFlags(rawArgs, { detach: args.detach === true });
  if (mode === null && !dryRun) throw new LifelineError('usage', NEEDS_MODE);
  const spacingMs = parseSeconds(args.spacing, 1, '--spacing') * 1000;
  const settleMs = parseSeconds(args.settle, SETTLE_MS / 1000, '--settle') * 1000;
  if (args.boot === '') throw new LifelineError('usage', '--boot needs a boot id');
  const bootId = typeof args.boot === 'string' ? args.boot : null;

  const nothingStopped = async (): Promise<number> => {
    if (bootId !== null) throw new LifelineError('unknown-name', `nothing of boot ${bootId} is known to have been running when it ended`);
    if (args.json) printJson({ results: [] });
    else printLine(NOTHING);
    return 0;
  };
  return withStore(args, dryRun ? 'read' : 'write', async ({ ctx, paths }) => {
    const report = await restoreBoot(ctx, {
      dryRun,
      mode,
      spacingMs,
      // An explicit --spacing applies to every start; by default one agent kind starts 5 s apart.
      agentSpacingMs: args.spacing === undefined ? AGENT_SPACING_MS : spacingMs,
      settleMs,
      bootId,
      paths,
      onResult: args.json ? undefined : (result) => printLine(visible(line(result))),
    });
    if (args.json) {
      printJson({ results: report.results.map(({ name, action, reason, pid, where }) => ({ name, action, reason, pid, where })) });
    } else if (report.results.length === 0) {
      printLine(report.bootId === null ? NOTHING : `nothing to bring back: nothing was running when boot ${report.bootId} ended`);
    } else {
      printLine(summary(report, dryRun));
      const session = mode?.kind === 'tmux' ? mode.session : null;
      if (session !== null && report.results.some((result) => result.action === 'resumed')) printLine(`see them with: tmux attach -t ${session}`);
    }
    return report.results.some((result) => result.action === 'failed') ? 1 : 0;
  }, nothingStopped);
}
