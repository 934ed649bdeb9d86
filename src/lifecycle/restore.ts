import { setTimeout as sleep } from 'node:timers/promises';
import { LifelineError } from '../errors.js';
import { eventAfter, newestPassStop, rowsBoundTo, stopsOfPass } from '../store/history.js';
import type { StatePaths } from '../store/paths.js';
import type { EventRow } from '../store/rows.js';
import type { LifelineContext } from './context.js';
import { planResume, type ResumePlan } from './resume.js';
import { type LaunchMode, startLife, whereOf } from './start.js';
import { judge } from './verdict.js';
import type { ReconcilePass } from './vocabulary.js';

export type RestoreAction = 'resumed' | 'would-resume' | 'skipped' | 'failed';

export interface RestoreResult {
  readonly name: string;
  readonly action: RestoreAction;
  /** Why it was skipped or failed; null when it was (or would be) resumed. */
  readonly reason: string | null;
  readonly pid: number | null;
  /** The tmux window (`session:window`) or log file it runs with; null when skipped or failed, or in a dry run without a mode. */
  readonly where: string | null;
  /** What runs (or would run), for the human report: null when it was skipped before planning. */
  readonly plan: { readonly argv: readonly string[]; readonly cwd: string; readonly session: string | null } | null;
}

export interface RestoreReport {
  /** The pass whose stops were brought back; null when no reconcile pass ever stopped anything. */
  readonly pass: ReconcilePass | null;
  readonly results: RestoreResult[];
}

export interface RestoreOptions {
  readonly dryRun: boolean;
  /** How each instance runs; null only in a dry run that was not told. */
  readonly mode: LaunchMode | null;
  readonly spacingMs: number;
  /** Bring back the pass of this boot instead of the newest one. */
  readonly bootId: string | null;
  readonly paths: StatePaths;
  /** Told about each instance as soon as it is settled, so a person sees progress while spacing waits. */
  readonly onResult?: (result: RestoreResult) => void;
}

const SESSION = 'session';
/** With `--spacing 0`, how many starts may be under way at once. */
const PARALLEL_STARTS = 6;

function passOf(event: EventRow): ReconcilePass {
  return (JSON.parse(event.data) as { pass: ReconcilePass }).pass;
}

function sessionOf(plan: ResumePlan): string | null {
  return plan.spec.bindings.filter((binding) => binding.kind === SESSION).at(-1)?.value ?? null;
}

/** The name of a live instance (any row that is not a ghost) bound to this session, if one is. */
function liveHolderOf(ctx: LifelineContext, session: string): string | null {
  for (const name of rowsBoundTo(ctx.store, SESSION, session)) {
    const row = ctx.store.getInstance(name);
    if (row !== null && judge(row, ctx).verdict !== 'dead') return name;
  }
  return null;
}

/** Why a stopped name is not a candidate any more, or null when it is. */
function staleReason(ctx: LifelineContext, stop: EventRow): string | null {
  const name = stop.instance;
  if (eventAfter(ctx.store, name, 'life.forgotten', stop.id) !== null) return 'forgotten';
  const row = ctx.store.getInstance(name);
  if (row !== null) {
    const verdict = judge(row, ctx);
    return verdict.verdict === 'alive' ? `running again, pid ${verdict.process.pid}` : 'started again since';
  }
  if (eventAfter(ctx.store, name, 'life.started', stop.id) !== null) return 'started again since';
  return null;
}

/**
 * Brings back every instance that one reconcile pass ended (the newest pass that stopped anything, or
 * the pass of `bootId`), `spacingMs` apart (with 0, a few starts overlap). Each is planned by
 * `planResume`, exactly as `r NAME` plans it, and every skip is decided before the first start. Skipped: names forgotten or started again since, folders that are gone, and
 * sessions a live instance (or one resumed earlier in this run) already uses — two programs writing
 * one transcript would corrupt it. A failure is reported and the rest go on.
 */
export async function restoreBoot(ctx: LifelineContext, options: RestoreOptions): Promise<RestoreReport> {
  const newest = newestPassStop(ctx.store, options.bootId);
  if (newest === null) {
    if (options.bootId !== null) throw new LifelineError('unknown-name', `no reconcile pass of boot ${options.bootId} stopped anything`);
    return { pass: null, results: [] };
  }
  const pass = passOf(newest);
  // Filled in pass order; a slot stays empty while its start is under way.
  const results: (RestoreResult | undefined)[] = [];
  let told = 0;
  const tell = (): void => {
    for (; told < results.length && results[told] !== undefined; told++) options.onResult?.(results[told]!);
  };
  const settle = (index: number, result: RestoreResult): void => {
    results[index] = result;
    tell();
  };
  const claimed = new Map<string, string>(); // session → name resumed (or to be resumed) in this run
  const starts: { index: number; plan: ResumePlan; shown: NonNullable<RestoreResult['plan']>; where: string | null }[] = [];

  // Every decision is taken first, in pass order, with nothing started yet.
  for (const stop of stopsOfPass(ctx.store, pass.id)) {
    const index = results.length;
    results.push(undefined);
    const name = stop.instance;
    const skip = (reason: string, plan: RestoreResult['plan'] = null): void =>
      settle(index, { name, action: 'skipped', reason, pid: null, where: null, plan });
    const stale = staleReason(ctx, stop);
    if (stale !== null) {
      skip(stale);
      continue;
    }
    let plan: ResumePlan;
    try {
      // No row holds the name (checked above), so planning writes nothing.
      const registry = options.paths.dbChosen ? options.paths.db : null;
      plan = planResume(ctx, name, { cwd: null, detached: options.mode?.kind === 'detached', dryRun: options.dryRun, registry });
    } catch (error) {
      if (error instanceof LifelineError && error.code === 'missing-folder') skip(`folder gone: ${snapshotCwd(stop)}`);
      else settle(index, { name, action: 'failed', reason: messageOf(error), pid: null, where: null, plan: null });
      continue;
    }
    const session = sessionOf(plan);
    const shown = { argv: plan.argv, cwd: plan.cwd, session };
    const holder = session === null ? null : (claimed.get(session) ?? liveHolderOf(ctx, session));
    if (session !== null && holder !== null) {
      skip(`session ${session} is in use by ${holder}`, shown);
      continue;
    }
    if (session !== null) claimed.set(session, name);
    const where = options.mode === null ? null : whereOf(options.mode, name, options.paths);
    if (options.dryRun || options.mode === null) settle(index, { name, action: 'would-resume', reason: null, pid: null, where, plan: shown });
    else starts.push({ index, plan, shown, where });
  }

  const mode = options.mode;
  const start = async ({ index, plan, shown, where }: (typeof starts)[number]): Promise<void> => {
    try {
      const started = await startLife(ctx, plan.spec, mode!, options.paths);
      settle(index, { name: plan.name, action: 'resumed', reason: null, pid: started.pid, where, plan: shown });
    } catch (error) {
      settle(index, { name: plan.name, action: 'failed', reason: messageOf(error), pid: null, where: null, plan: shown });
    }
  };
  if (options.spacingMs > 0) {
    for (const [i, order] of starts.entries()) {
      if (i > 0) await sleep(options.spacingMs);
      await start(order);
    }
  } else {
    // No spacing asked for: the starts overlap, a few at a time (each waits for its launcher's report).
    const queue = [...starts];
    const worker = async (): Promise<void> => {
      for (let order = queue.shift(); order !== undefined; order = queue.shift()) await start(order);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_STARTS, queue.length) }, worker));
  }
  return { pass, results: results as RestoreResult[] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function snapshotCwd(stop: EventRow): string {
  const cwd = (JSON.parse(stop.data) as { snapshot?: { cwd?: unknown } }).snapshot?.cwd;
  return typeof cwd === 'string' && cwd !== '' ? cwd : '(unknown)';
}
