import type { InstanceKey, InstanceRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import { encodeLifeEvent, type LifeStopped, type Snapshot } from '../life-log.js';
import { checkSignallable, terminate, type TerminateResult } from './signal.js';
import { judge, type VerifiedProcess } from './verdict.js';
import type { ReconcilePass, Reason, StoppedBy } from '../vocabulary.js';

export interface StopRequest {
  readonly name: string;
  /** The life of the name the caller means. A stop aimed at an earlier life never ends a newer one. */
  readonly expect?: InstanceKey;
  readonly by: StoppedBy;
  /**
   * A fixed reason (a launcher that saw its program exit, reconcile's verdict), or `verify`: judge
   * the row now; a verified live process is recorded as `stopped`, a ghost keeps its verdict's reason.
   */
  readonly reason: Reason | 'verify';
  /**
   * For `verify` stops: called with the verified live process before anything is written. It throws
   * when the process may not be signalled, so a stop that cannot end the process records nothing.
   */
  readonly checkTarget?: (target: VerifiedProcess, name: string) => void;
  /** The reconcile pass that ends the instance, recorded in the event so `r --all` can find its stops. */
  readonly pass?: ReconcilePass;
}

export type StopOutcome =
  | { readonly stopped: false }
  | {
      readonly stopped: true;
      readonly eventId: number;
      readonly reason: Reason;
      readonly row: InstanceRow;
      /** Set only for `verify` stops of a live, verified process: the one process that may be signalled. */
      readonly target: VerifiedProcess | null;
    };

function parseJsonColumn(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text; // Written by something else: keep it as it was rather than lose it.
  }
}

function sameLife(row: InstanceRow, key: InstanceKey): boolean {
  return row.created_at === key.createdAtMs && row.marker === key.marker;
}

/**
 * THE stop path: the only function that writes `life.stopped` and deletes instances.
 *
 * In one write transaction (BEGIN IMMEDIATE, or a savepoint inside reconcile's) it reads the row,
 * writes the event with a snapshot of the row and its bindings, and compare-and-deletes both. A
 * second caller for the same life finds no row and writes nothing, so an instance ends exactly once.
 * It never signals: the caller gets the verified target back and may signal only after the commit.
 */
export function stopInstance(ctx: LifelineContext, request: StopRequest): StopOutcome {
  const { store } = ctx;
  return store.writeTransaction((): StopOutcome => {
    const row = store.getInstance(request.name);
    if (row === null || (request.expect !== undefined && !sameLife(row, request.expect))) return { stopped: false };

    let reason: Reason;
    let target: VerifiedProcess | null = null;
    if (request.reason === 'verify') {
      const verdict = judge(row, ctx);
      if (verdict.kind === 'dead') reason = verdict.reason;
      else {
        reason = 'stopped';
        if (verdict.kind === 'alive') {
          target = verdict.process;
          request.checkTarget?.(target, row.name);
        }
      }
    } else {
      reason = request.reason;
    }

    const bindings = store.bindingsOf(row.name).map(({ kind, value }) => ({ kind, value }));
    const snapshot: Snapshot = {
      ...row,
      argv: parseJsonColumn(row.argv),
      resume_argv: parseJsonColumn(row.resume_argv),
      bindings,
    };
    const data: LifeStopped = { by: request.by, reason, snapshot, ...(request.pass === undefined ? {} : { pass: request.pass }) };
    const eventId = store.insertEvent(row.name, 'life.stopped', ctx.now(), encodeLifeEvent('life.stopped', data));
    store.deleteAllBindings(row.name);
    store.deleteTurn(row.name); // A turn belongs to one life: a crash mid-turn leaves no `working` behind.
    store.deleteInstance({ name: row.name, createdAtMs: row.created_at, marker: row.marker });
    return { stopped: true, eventId, reason, row, target };
  });
}

export type StopAndSignalOutcome = StopOutcome & { readonly signal: TerminateResult | null };

/**
 * `lifeline stop`: records the end first (so the user's reason wins over the exit the launcher sees
 * next), then signals the verified process, if there is one.
 */
export async function stopAndSignal(
  ctx: LifelineContext,
  request: Omit<StopRequest, 'reason'>,
  graceMs: number,
): Promise<StopAndSignalOutcome> {
  if (ctx.store.inTransaction) throw new Error('stopAndSignal must not run inside a transaction: it signals after commit');
  const outcome = stopInstance(ctx, { ...request, reason: 'verify', checkTarget: (target, name) => checkSignallable(ctx, target, name) });
  if (!outcome.stopped || outcome.target === null) return { ...outcome, signal: null };
  // Recorded and committed: the program's waiter, if it is a dash one, need not start a helper for it.
  if (outcome.target.marker !== null) ctx.waiters?.endRecorded(outcome.target.marker);
  return { ...outcome, signal: await terminate(ctx, outcome.target, graceMs) };
}
