/**
 * What a new pass tells a person, and where (SPEC §13): the lines that name what a reboot left to bring
 * back, delivered to the terminal or kept for the first terminal shell of the boot, and the restoring
 * login item's `r --all --tmux` with what it says about what came back. reconcile.ts runs the pass.
 */
import { AGENT_SPACING_MS, restoreBoot, type RestoreReport } from '../../lifecycle/returning/restore.js';
import { SETTLE_MS } from '../../lifecycle/returning/settle.js';
import type { ReconcileReport } from '../../lifecycle/ending/reconcile.js';
import { printLine, visible } from '../../output.js';
import type { StatePaths } from '../../store/paths.js';
import { clearPendingNotice, writePendingNotice } from '../../store/stamp.js';
import { withStore } from '../shared.js';

/** What a reboot left to bring back: ghosts stopped now, and lives that ended with the last boot. */
export function toResume(report: ReconcileReport): ReconcileReport['results'] {
  return report.results.filter((result) => result.action === 'stopped' || result.action === 'ended-with-boot');
}

/** What a person wants to see in a new terminal after a reboot: what died, and how to bring it back. */
export function noticeLines(report: ReconcileReport): string[] {
  const ended = toResume(report);
  const lines = ended.map((result) => visible(`lifeline: ${result.name} is not running (${result.reason}); resume it with: lifeline r ${result.name}`));
  if (ended.length >= 2) lines.push(`lifeline: ${RESTORE_ALL_HINT}`);
  return lines;
}

/**
 * The quiet notice of a new pass goes to the terminal, or, with `--defer-notice` and no terminal on
 * stdout (the snippet in an agent's hidden shell, the login item), waits in the notice file for the
 * first terminal shell of the boot. A new pass replaces what an earlier boot left pending.
 */
export function deliverNotice(report: ReconcileReport, lines: readonly string[], paths: StatePaths, defer: boolean): void {
  if (report.already_reconciled || report.dry_run) {
    for (const line of lines) printLine(line);
    return;
  }
  if (defer && process.stdout.isTTY !== true) {
    if (lines.length > 0) writePendingNotice(paths.notice, lines);
    else clearPendingNotice(paths.notice);
    return;
  }
  clearPendingNotice(paths.notice);
  for (const line of lines) printLine(line);
}

/** Two or more ended with a boot: one command brings them all back, each in its own tmux window. */
export const RESTORE_ALL_HINT = 'bring them all back with: lifeline r --all --tmux';

/** The tmux session `--restore` brings the last boot back into (what `r --all --tmux` uses by default). */
const RESTORE_SESSION = 'lifeline';

/** `--restore` (the login item's): `r --all --tmux` right after the pass; null when there is no database. */
export function restoreInTmux(db: string | undefined): Promise<RestoreReport | null> {
  return withStore<Promise<RestoreReport | null>>(
    { db },
    'write',
    ({ ctx, paths }) =>
      restoreBoot(ctx, {
        dryRun: false,
        mode: { kind: 'tmux', session: RESTORE_SESSION },
        spacingMs: 1000,
        agentSpacingMs: AGENT_SPACING_MS,
        settleMs: SETTLE_MS,
        bootId: null,
        paths,
      }),
    () => Promise.resolve(null),
  );
}

/** What the first terminal after a restoring login says: what came back and where, and what did not. */
export function restoreNoticeLines(report: ReconcileReport, restored: RestoreReport): string[] {
  const back = restored.results.filter((result) => result.action === 'resumed').map((result) => result.name);
  const lines = back.length > 0 ? [visible(`lifeline: back after the reboot, in tmux: ${back.join(', ')} (see them with: tmux attach -t ${RESTORE_SESSION})`)] : [];
  for (const result of restored.results) {
    if (result.action === 'failed') lines.push(visible(`lifeline: ${result.name} did not come back (${result.reason}); resume it with: lifeline r ${result.name}`));
    if (result.action === 'skipped' && toResume(report).some((ended) => ended.name === result.name)) {
      lines.push(visible(`lifeline: ${result.name} was not brought back (${result.reason})`));
    }
  }
  const handled = new Set(restored.results.map((result) => result.name));
  for (const ended of toResume(report)) {
    if (!handled.has(ended.name)) lines.push(visible(`lifeline: ${ended.name} is not running (${ended.reason}); resume it with: lifeline r ${ended.name}`));
  }
  return lines;
}
