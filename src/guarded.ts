import { alreadyReconciled, alreadyReconciledMessage } from './lifecycle/ending/boot-guard.js';
import { printJson, printLine } from './output.js';
import { platform, procRoot } from './proc/index.js';
import { LinuxProbe } from './proc/linux.js';
import { checkStateFolder } from './store/files.js';
import { openDatabase } from './store/open.js';
import { resolvePaths } from './store/paths.js';
import { refreshStamp } from './store/stamp.js';
import { Store } from './store/store.js';

/** `reconcile` with only --quiet, --defer-notice, --json and --db: the flags the shell snippet and login item use. */
function guardedFlags(args: readonly string[]): { quiet: boolean; json: boolean; db: string | undefined } | null {
  let quiet = false;
  let json = false;
  let db: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '--quiet') quiet = true;
    // Where a new pass's notice goes: this path makes no new pass, so nothing to deliver.
    else if (word === '--defer-notice') continue;
    else if (word === '--json') json = true;
    else if (word === '--db' && args[i + 1] !== undefined) db = args[++i];
    else if (word.startsWith('--db=')) db = word.slice(5);
    else return null;
  }
  return { quiet, json, db };
}

/**
 * No database yet (a machine where nothing was launched): the full reconcile would stop nothing,
 * create nothing and write the stamp — done here too for the quiet and JSON runs of every shell
 * start, which would otherwise load the whole CLI for it. The human report goes the full way.
 */
function nothingTracked(stamp: string, bootId: string, flags: { quiet: boolean; json: boolean }): number | null {
  if (!flags.quiet && !flags.json) return null;
  refreshStamp(stamp, bootId);
  if (flags.json) printJson({ boot_id: bootId, already_reconciled: false, dry_run: false, results: [] });
  return 0;
}

/**
 * The guarded reconcile, on the path every shell start may take: read the boot id, open the
 * database read-only (header and schema checked as always), read one kv row, refresh the stamp,
 * leave. It loads neither citty nor consola nor the verdict machinery, and parses its few flags
 * itself for that reason. Anything it does not handle, including every failure, returns null and
 * goes the full way, which also gives the proper error message.
 */
export function runGuarded(args: readonly string[]): number | null {
  const flags = guardedFlags(args);
  if (flags === null || platform() !== 'linux') return null;
  try {
    const paths = resolvePaths(flags.db);
    checkStateFolder(paths.home); // One stat; any refusal goes the full way, which prints it.
    const bootId = new LinuxProbe(procRoot()).bootId();
    const db = openDatabase(paths.db, 'read');
    if (db === null) return nothingTracked(paths.stamp, bootId, flags);
    const store = new Store(db);
    let reconciled: boolean;
    try {
      reconciled = alreadyReconciled(store, bootId);
    } finally {
      store.close();
    }
    if (!reconciled) return null;
    refreshStamp(paths.stamp, bootId);
    if (flags.json) printJson({ boot_id: bootId, already_reconciled: true, dry_run: false, results: [] });
    else if (!flags.quiet) printLine(alreadyReconciledMessage(bootId));
    return 0;
  } catch {
    return null;
  }
}
