import { randomUUID } from 'node:crypto';
import type { InstanceRow } from '../../store/rows.js';
import { alreadyReconciled } from './boot-guard.js';
import { bootSet, lastEndedBoot, staleReason } from '../returning/boot-set.js';
import type { LifelineContext } from '../context.js';
import { stopInstance } from './stop.js';
import { judge, type Verdict } from './verdict.js';
import { decodeLifeEvent } from '../life-log.js';
import { KV_RECONCILE_AT, KV_RECONCILE_BOOT, type ReconcilePass, SHUTDOWN_REASON, type ShutdownReason } from '../vocabulary.js';

/** `ended-with-boot`: a life of the last boot's set that its watcher recorded `exit:shutdown` (nothing left to stop). */
export type ReconcileAction = 'kept' | 'stopped' | 'would-stop' | 'skipped' | 'ended-with-boot';

export interface ReconcileResult {
  readonly name: string;
  readonly pid: number | null;
  readonly verdict: Verdict['kind'];
  readonly reason: Extract<Verdict, { kind: 'dead' }>['reason'] | ShutdownReason | null;
  readonly action: ReconcileAction;
}

export interface ReconcileReport {
  readonly boot_id: string;
  readonly already_reconciled: boolean;
  readonly dry_run: boolean;
  readonly results: ReconcileResult[];
}

export interface ReconcileOptions {
  readonly dryRun: boolean;
  readonly force: boolean;
}

function resultOf(row: InstanceRow, verdict: Verdict, dryRun: boolean): ReconcileResult {
  const base = { name: row.name, pid: row.pid, verdict: verdict.kind };
  if (verdict.kind === 'dead') return { ...base, reason: verdict.reason, action: dryRun ? 'would-stop' : 'stopped' };
  // A row with no pid is a hook-only instance: kept, though nothing could be verified about it.
  const action = verdict.kind === 'alive' || verdict.why === 'no-pid' ? 'kept' : 'skipped';
  return { ...base, reason: null, action };
}

/**
 * Gives every row a verdict and, unless dry, sends each dead one through the stop path — all inside
 * one IMMEDIATE transaction that also writes the boot guard. Killed at any instant, it leaves the
 * database as it was; run by sixteen shells at once, the first does the pass and the rest find the
 * guard already set when the lock comes to them. Dead verdicts are never signalled: a dead verdict
 * means the pid is not ours.
 */
export function reconcile(ctx: LifelineContext, options: ReconcileOptions): ReconcileReport {
  const { store, bootId } = ctx;
  const guarded = alreadyReconciled(store, bootId);
  if (options.dryRun) {
    const results = store.allInstances().map((row) => resultOf(row, judge(row, ctx), true));
    return { boot_id: bootId, already_reconciled: guarded, dry_run: true, results };
  }
  if (guarded && !options.force) return { boot_id: bootId, already_reconciled: true, dry_run: false, results: [] };

  return store.writeTransaction(() => {
    // Checked again under the lock: another reconcile may have finished while this one waited.
    if (!options.force && alreadyReconciled(store, bootId)) {
      return { boot_id: bootId, already_reconciled: true, dry_run: false, results: [] };
    }
    const results: ReconcileResult[] = [];
    const pass: ReconcilePass = { id: randomUUID(), boot_id: bootId };
    for (const row of store.allInstances()) {
      const verdict = judge(row, ctx);
      if (verdict.kind === 'dead') {
        stopInstance(ctx, { name: row.name, expect: { name: row.name, createdAtMs: row.created_at, marker: row.marker }, by: 'system', reason: verdict.reason, pass });
      }
      results.push(resultOf(row, verdict, false));
    }
    // The first pass of a boot names the last boot's whole set: its ghosts are among the stops above,
    // its graceful ends were recorded by their watchers and have nothing left to stop.
    if (!guarded) results.push(...endedWithLastBoot(ctx));
    store.setKv(KV_RECONCILE_BOOT, bootId);
    store.setKv(KV_RECONCILE_AT, String(ctx.now()));
    return { boot_id: bootId, already_reconciled: guarded, dry_run: false, results };
  });
}

/** The lives of the last ended boot's set that ended with it (`exit:shutdown`) and have not come back since. */
function endedWithLastBoot(ctx: LifelineContext): ReconcileResult[] {
  const last = lastEndedBoot(ctx);
  if (last === null) return [];
  return bootSet(ctx, last)
    .stops.filter((stop) => staleReason(ctx, stop) === null)
    .flatMap((stop): ReconcileResult[] => {
      const data = decodeLifeEvent('life.stopped', stop);
      if (data.reason !== SHUTDOWN_REASON) return [];
      const pid = typeof data.snapshot?.pid === 'number' ? data.snapshot.pid : null;
      return [{ name: stop.instance, pid, verdict: 'dead', reason: SHUTDOWN_REASON, action: 'ended-with-boot' }];
    });
}
