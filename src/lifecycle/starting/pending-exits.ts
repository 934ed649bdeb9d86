import { closeSync, lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openPrivateFile, readSmallFile } from '../../store/files.js';
import type { InstanceRow } from '../../store/rows.js';
import type { LifelineContext, WaiterFiles } from '../context.js';
import type { Reason } from '../vocabulary.js';
import { outcomeReason, parseWaiterReport, recordWaiterExit, type WaiterReport } from './waiter-records.js';

/**
 * How a program ended, as its waiter (bin/lifeline-wait) saw it, written to `run/<marker>.exit`
 * before the waiter's Node helper records it (the file is the helper's own input). In the
 * foreground the prompt comes back without waiting for that helper — a Node start, most of what a
 * short program's launch cost — so until the helper is done, this file is the exit's record:
 * a command that writes records it first, with the helper's own function (exactly once, whoever
 * comes first), and judge() reads it for the others. `r NAME` typed the moment the prompt is back
 * sees the program's true end, never `exit:gone`.
 */

const EXIT_SUFFIX = '.exit';
const RECORDED_SUFFIX = '.recorded';
/** A `.recorded` file whose waiter never came for it (it was gone already) is dropped after this. */
const RECORDED_STALE_MS = 10 * 60_000;
/** A report is one JSON line of paths and names, and two short ones. */
const REPORT_MAX_BYTES = 64 * 1024;
/** A marker lifeline made: a file name can only ever be built from one of these. */
const MARKER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The run folder of a state folder: the waiters' private files. */
export function runFolderOf(home: string): string {
  return join(home, 'run');
}

export function exitFileOf(runFolder: string, marker: string): string {
  return join(runFolder, `${marker}${EXIT_SUFFIX}`);
}

/**
 * Left by `lifeline stop` for a life whose end it has recorded, before it signals the program: its
 * waiter then removes it and starts no helper (that helper would find nothing to record: `stop --all`
 * of 100 programs would otherwise end in 100 Node starts).
 */
export function recordedFileOf(runFolder: string, marker: string): string {
  return join(runFolder, `${marker}${RECORDED_SUFFIX}`);
}

/** A whole report, read without following a link; null when there is none (or it is being written). */
function readReport(file: string): WaiterReport | null {
  const text = readSmallFile(file, REPORT_MAX_BYTES, false);
  // One write of the waiter's: a report that does not end its third line is not whole yet.
  if (text === null || text.split('\n').length !== 4 || !text.endsWith('\n')) return null;
  const report = parseWaiterReport(text);
  return report !== null && report.outcome !== null ? report : null;
}

function sameLife(report: WaiterReport, row: Pick<InstanceRow, 'name' | 'created_at' | 'marker'>): boolean {
  return report.key.name === row.name && report.key.created_at === row.created_at && report.key.marker === row.marker;
}

/** The waiters' files of one state folder, as the lifecycle sees them. */
export function waiterFiles(runFolder: string): WaiterFiles {
  return {
    pendingExit(row) {
      if (row.marker === null || !MARKER.test(row.marker)) return null;
      const report = readReport(exitFileOf(runFolder, row.marker));
      return report !== null && sameLife(report, row) ? outcomeReason(report.outcome!) : null;
    },
    endRecorded(marker) {
      if (!MARKER.test(marker)) return;
      try {
        closeSync(openPrivateFile(recordedFileOf(runFolder, marker), 'wx'));
      } catch {
        // No run folder (no waiter of ours), or there already: its helper records nothing twice anyway.
      }
    },
  };
}

/** Drops a `.recorded` file no waiter came for (its program had ended already when `stop` wrote it). */
function dropIfStale(file: string, now: number): void {
  try {
    if (now - lstatSync(file).mtimeMs > RECORDED_STALE_MS) rmSync(file, { force: true });
  } catch {
    // Gone meanwhile.
  }
}

/**
 * Records every exit a waiter of this database reported and no helper has recorded yet, then drops
 * its file; a report whose life is already over (its helper was first) is only dropped. Run by a
 * command that writes, before it judges anything. A report it cannot record now (a busy database)
 * stays for the next one, and judge() still reads it. Returns how many it recorded.
 */
export function settlePendingExits(ctx: LifelineContext, runFolder: string, db: string): number {
  let names: string[];
  try {
    names = readdirSync(runFolder);
  } catch {
    return 0; // No run folder: nothing was ever handed to a waiter here.
  }
  let recorded = 0;
  for (const name of names) {
    if (name.endsWith(RECORDED_SUFFIX)) dropIfStale(join(runFolder, name), ctx.now());
    if (!name.endsWith(EXIT_SUFFIX) || !MARKER.test(name.slice(0, -EXIT_SUFFIX.length))) continue;
    const file = join(runFolder, name);
    const report = readReport(file);
    if (report === null || report.key.db !== db) continue;
    try {
      const row = ctx.store.getInstance(report.key.name);
      if (row !== null && sameLife(report, row)) {
        // A start recorded here belongs to the boot the life was reserved in, not to this one.
        const reason: Reason | null = recordWaiterExit({ ...ctx, bootId: row.boot_id ?? ctx.bootId }, report.key, report.seen, report.outcome!);
        if (reason !== null) recorded++;
      }
      rmSync(file, { force: true });
    } catch {
      // Busy or read-only: the report stays, and judge() reads it meanwhile.
    }
  }
  return recorded;
}
