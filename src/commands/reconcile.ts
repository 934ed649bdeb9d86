import { defineCommand } from 'citty';
import { createContext } from '../lifecycle/context.js';
import { reconcile, type ReconcileReport } from '../lifecycle/reconcile.js';
import { notices } from '../notices.js';
import { printJson, printLine } from '../output.js';
import { platformProbe } from '../proc/index.js';
import { openDatabase } from '../store/open.js';
import { resolvePaths } from '../store/paths.js';
import { refreshStamp } from '../store/stamp.js';
import { alreadyReconciledMessage } from './reconcile-guarded.js';
import { Store } from '../store/store.js';
import { dbArg, jsonArg } from './shared.js';

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'database-busy' || (typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')));
}

/** One result in words (the JSON keeps the fixed values: verdict, reason, action). */
function inWords(result: ReconcileReport['results'][number]): string {
  if (result.verdict === 'dead') return `dead (${result.reason}); ${result.action === 'stopped' ? 'recorded as stopped' : 'would be recorded as stopped'}`;
  if (result.verdict === 'alive') return 'alive; kept';
  return result.action === 'kept' ? 'no process registered (not verified); kept' : 'not verified here (another device, or launching); left alone';
}

function printHuman(report: ReconcileReport, quiet: boolean): void {
  const stopped = report.results.filter((result) => result.action === 'stopped');
  if (quiet) {
    // What a person wants to see in a new terminal after a reboot: what died, and how to bring it back.
    for (const result of stopped) printLine(`lifeline: ${result.name} is not running (${result.reason}); resume it with: lifeline r ${result.name}`);
    return;
  }
  if (report.already_reconciled && !report.dry_run && report.results.length === 0) {
    printLine(alreadyReconciledMessage(report.boot_id));
    return;
  }
  for (const result of report.results) printLine(`${result.name}: ${inWords(result)}`);
  const counted = (action: string): number => report.results.filter((result) => result.action === action).length;
  const summary = report.dry_run
    ? `dry run: ${counted('would-stop')} would be stopped, ${counted('kept')} kept, ${counted('skipped')} skipped; nothing was written`
    : `reconciled boot ${report.boot_id}: ${stopped.length} stopped, ${counted('kept')} kept, ${counted('skipped')} skipped`;
  printLine(summary);
}

export default defineCommand({
  meta: { name: 'reconcile', description: 'Once per boot: stop every tracked instance whose process did not survive' },
  args: {
    'dry-run': { type: 'boolean', description: 'show the verdicts, write nothing' },
    force: { type: 'boolean', description: 'run even if this boot was already reconciled' },
    quiet: { type: 'boolean', description: 'print only what was stopped (for shell startup)' },
    ...jsonArg,
    ...dbArg,
  },
  run({ args }) {
    const dryRun = args['dry-run'] === true;
    const paths = resolvePaths(args.db);
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
      const store = new Store(db);
      try {
        report = reconcile(createContext(store, probe, bootId), { dryRun, force: args.force === true });
      } catch (error) {
        if (args.quiet === true && isBusy(error)) return 0;
        throw error;
      } finally {
        store.close();
      }
    }
    if (!dryRun) refreshStamp(paths.stamp, bootId);
    if (args.json) printJson(report);
    else printHuman(report, args.quiet === true);
    if (db === null && !dryRun && !args.quiet && !args.json) notices.info(`no database at ${paths.db} yet`);
  },
});
