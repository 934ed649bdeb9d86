import { defineCommand } from 'citty';
import { accessSync, constants } from 'node:fs';
import { alreadyReconciledMessage } from '../lifecycle/ending/boot-guard.js';
import type { LifelineContext } from '../lifecycle/context.js';
import { reconcile, type ReconcileReport } from '../lifecycle/ending/reconcile.js';
import { notices } from '../notices.js';
import { printJson, printLine, visible } from '../output.js';
import { platformProbe } from '../proc/index.js';
import { checkStateFolder } from '../store/files.js';
import { openDatabase } from '../store/open.js';
import { isSqliteBusy } from '../store/sqlite-errors.js';
import { folderOf, resolvePaths, type StatePaths } from '../store/paths.js';
import { clearPendingNotice, refreshStamp } from '../store/stamp.js';
import { contextOf, dbArg, jsonArg } from './shared.js';
import { deliverNotice, noticeLines, RESTORE_ALL_HINT, restoreInTmux, restoreNoticeLines, toResume } from './plumbing/boot-notice.js';

function isBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'database-busy' || isSqliteBusy(error);
}

/** One result in words (the JSON keeps the fixed values: verdict, reason, action). */
function inWords(result: ReconcileReport['results'][number]): string {
  if (result.action === 'ended-with-boot') return `ended with the last boot (${result.reason})`;
  if (result.verdict === 'dead') return `dead (${result.reason}); ${result.action === 'stopped' ? 'recorded as stopped' : 'would be recorded as stopped'}`;
  if (result.verdict === 'alive') return 'alive; kept';
  return result.action === 'kept' ? 'no process registered (not verified); kept' : 'not verified here (another device, or launching); left alone';
}

/**
 * A folder of the user's own that they made read-only (or a read-only mount): every new shell would
 * print the same error, so the quiet reconcile says nothing there, like a busy database.
 */
function cannotWrite(paths: StatePaths): boolean {
  try {
    accessSync(folderOf(paths.db), constants.W_OK);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EACCES' || (error as NodeJS.ErrnoException).code === 'EROFS';
  }
}

function printHuman(report: ReconcileReport, quiet: boolean, forced: boolean): void {
  const stopped = report.results.filter((result) => result.action === 'stopped');
  if (quiet) {
    for (const line of noticeLines(report)) printLine(line);
    return;
  }
  // Only a pass that did not run says so; a forced one with nothing to check still ran, and reports its counts.
  if (report.already_reconciled && !forced && !report.dry_run && report.results.length === 0) {
    printLine(alreadyReconciledMessage(report.boot_id));
    return;
  }
  for (const result of report.results) {
    const hint = result.action === 'stopped' || result.action === 'ended-with-boot' ? `; resume it with: lifeline r ${result.name}` : '';
    printLine(visible(`${result.name}: ${inWords(result)}${hint}`));
  }
  const counted = (action: string): number => report.results.filter((result) => result.action === action).length;
  const ended = counted('ended-with-boot');
  const summary = report.dry_run
    ? `dry run: ${counted('would-stop')} would be stopped, ${counted('kept')} kept, ${counted('skipped')} skipped; nothing was written`
    : `reconciled boot ${report.boot_id}: ${stopped.length} stopped, ${ended > 0 ? `${ended} ended with the last boot, ` : ''}${counted('kept')} kept, ${counted('skipped')} skipped`;
  printLine(summary);
  if (toResume(report).length >= 2) printLine(RESTORE_ALL_HINT);
}

export default defineCommand({
  meta: { name: 'reconcile', description: 'Once per boot: stop every tracked instance whose process did not survive' },
  args: {
    'dry-run': { type: 'boolean', description: 'show the verdicts, write nothing' },
    force: { type: 'boolean', description: 'run even if this boot was already reconciled' },
    quiet: { type: 'boolean', description: 'print only what was stopped (for shell startup)' },
    'defer-notice': { type: 'boolean', description: 'with --quiet and no terminal on stdout: keep the notice for the first terminal shell of the boot' },
    restore: { type: 'boolean', description: 'then bring the last boot back in tmux session lifeline, as r --all --tmux does (login-item install --restore)' },
    ...jsonArg,
    ...dbArg,
  },
  async run({ args }) {
    const dryRun = args['dry-run'] === true;
    const paths = resolvePaths(args.db);
    checkStateFolder(paths.home); // Another user's folder is refused, quiet or not.
    if (args.quiet === true && !dryRun && cannotWrite(paths)) return 0;
    const probe = platformProbe();
    const bootId = probe.bootId();
    let db;
    try {
      db = openDatabase(paths.db, dryRun ? 'read' : 'write-existing');
    } catch (error) {
      // A shell start gives up silently after the busy timeout, and leaves the stamp for the next shell to retry.
      if (args.quiet === true && isBusy(error)) return 0;
      throw error;
    }
    let report: ReconcileReport;
    if (db === null) {
      // No database: nothing is tracked, and a shell start must not create one.
      report = { boot_id: bootId, already_reconciled: false, dry_run: dryRun, results: [] };
    } else {
      let ctx: LifelineContext;
      try {
        ctx = contextOf(db, probe, paths, !dryRun, bootId); // Closes the database itself when it throws.
      } catch (error) {
        if (args.quiet === true && isBusy(error)) return 0;
        throw error;
      }
      const { store } = ctx;
      try {
        report = reconcile(ctx, { dryRun, force: args.force === true });
      } catch (error) {
        if (args.quiet === true && isBusy(error)) return 0;
        throw store.describeError(error);
      } finally {
        store.close();
      }
    }
    if (!dryRun) refreshStamp(paths.stamp, bootId);
    const restored = args.restore === true && !dryRun && db !== null ? await restoreInTmux(args.db) : null;
    // A new pass reported anywhere but through deliverNotice (JSON, a person's plain reconcile) still
    // replaces what an earlier boot left pending, or a later terminal would print that boot's notice.
    const delivered = args.json !== true && args.quiet === true && db !== null;
    if (!delivered && !dryRun && !report.already_reconciled) clearPendingNotice(paths.notice);
    if (args.json) printJson(report);
    else if (args.quiet === true && db !== null) {
      deliverNotice(report, restored === null ? noticeLines(report) : restoreNoticeLines(report, restored), paths, args['defer-notice'] === true);
    } else {
      printHuman(report, args.quiet === true, args.force === true);
      if (restored !== null) for (const line of restoreNoticeLines(report, restored)) printLine(line);
    }
    if (db === null && !dryRun && !args.quiet && !args.json) notices.info(`no database at ${visible(paths.db)} yet`);
  },
});
