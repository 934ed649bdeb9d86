import { setTimeout as sleep } from 'node:timers/promises';
import { agentOf } from '../../agents/argv.js';
import { LifelineError } from '../../errors.js';
import { rowsBoundTo } from '../../store/history.js';
import type { StatePaths } from '../../store/paths.js';
import type { EventRow } from '../../store/rows.js';
import { setToBringBack, staleReason } from './boot-set.js';
import { needsTerminal } from '../starting/detach.js';
import type { LifelineContext } from '../context.js';
import { decodeLifeEvent } from '../life-log.js';
import { prepareResume, type ResumePlan } from './resume.js';
import type { Reservation } from '../starting/launch.js';
import { settleLife } from './settle.js';
import { type LaunchMode, startLife, whereOf } from '../starting/start.js';
import { judge } from '../ending/verdict.js';

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
  /** The boot whose set was brought back; null when no boot is known to have ended. */
  readonly bootId: string | null;
  readonly results: RestoreResult[];
}

export interface RestoreOptions {
  readonly dryRun: boolean;
  /** How each instance runs; null only in a dry run that was not told. */
  readonly mode: LaunchMode | null;
  readonly spacingMs: number;
  /**
   * At least this long between two starts of one agent kind (claude, codex, gemini), when the user did
   * not choose a spacing for all: a burst of starts can rotate one sign-in token under all of them.
   */
  readonly agentSpacingMs: number;
  /** A resumed program that ends within this of its start is reported failed (0: not watched). */
  readonly settleMs: number;
  /** Bring back the set of this boot instead of the last ended one. */
  readonly bootId: string | null;
  readonly paths: StatePaths;
  /** Told about each instance as soon as it is settled, so a person sees progress while spacing waits. */
  readonly onResult?: (result: RestoreResult) => void;
}

const SESSION = 'session';
/** `r --all` starts no more after this many resumes in a row (in start order) failed: something is wrong for all. */
const FAILURES_IN_A_ROW = 3;
/** Default of RestoreOptions.agentSpacingMs. */
export const AGENT_SPACING_MS = 5_000;
/** With `--spacing 0`, how many starts may be under way at once. */
const PARALLEL_STARTS = 12;

function sessionOf(plan: ResumePlan): string | null {
  return plan.spec.bindings.filter((binding) => binding.kind === SESSION).at(-1)?.value ?? null;
}

/** The name of a live instance (any row that is not a ghost) bound to this session, if one is. */
function liveHolderOf(ctx: LifelineContext, session: string): string | null {
  for (const name of rowsBoundTo(ctx.store, SESSION, session)) {
    const row = ctx.store.getInstance(name);
    if (row !== null && judge(row, ctx).kind !== 'dead') return name;
  }
  return null;
}

/**
 * Brings back the set of the last ended boot (SPEC §13; `bootId`: that boot's), `spacingMs` apart
 * (with 0, a few starts overlap). Each is planned by `prepareResume`, exactly as `r NAME` plans it,
 * and every skip is decided before the first start. Skipped: names forgotten or started again since,
 * folders that are gone, and sessions a live instance (or one resumed earlier in this run) already
 * uses — two programs writing one transcript would corrupt it. A failure is reported and the rest go on.
 */
/**
 * Why a start found its name taken by a life another lifeline began after this run planned it (two
 * `r --all` at once, a login item and a person): not a failure, the name is coming back. Null otherwise.
 */
function startedElsewhere(ctx: LifelineContext, name: string, error: unknown): string | null {
  if (!(error instanceof LifelineError) || error.code !== 'name-taken') return null;
  const row = ctx.store.getInstance(name);
  if (row === null) return null;
  return row.status === 'launching' ? 'being resumed by another lifeline' : 'started again since';
}

export async function restoreBoot(ctx: LifelineContext, options: RestoreOptions): Promise<RestoreReport> {
  const set = setToBringBack(ctx, options.bootId);
  if (set === null || set.stops.length === 0) {
    if (options.bootId !== null) throw new LifelineError('unknown-name', `nothing of boot ${options.bootId} is known to have been running when it ended`);
    return { bootId: set?.bootId ?? null, results: [] };
  }
  // Filled in the set's order; a slot stays empty while its start is under way.
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

  // Every decision is taken first, in the set's order, with nothing started yet.
  for (const stop of set.stops) {
    const index = results.length;
    results.push(undefined);
    const name = stop.instance;
    const skip = (reason: string, plan: RestoreResult['plan'] = null): void =>
      settle(index, { name, action: 'skipped', reason, pid: null, where: null, plan });
    const stale = staleReason(ctx, stop, options.settleMs);
    if (stale !== null) {
      skip(stale);
      continue;
    }
    let plan: ResumePlan;
    try {
      // No row holds the name (checked above), so planning writes nothing.
      const registry = options.paths.dbChosen ? options.paths.db : null;
      plan = prepareResume(ctx, name, { cwd: null, detached: options.mode?.kind === 'detached', dryRun: options.dryRun, registry });
    } catch (error) {
      if (error instanceof LifelineError && error.code === 'missing-folder') skip(`folder gone: ${snapshotCwd(stop)}`);
      else settle(index, { name, action: 'failed', reason: messageOf(error), pid: null, where: null, plan: null });
      continue;
    }
    const session = sessionOf(plan);
    const shown = { argv: plan.argv, cwd: plan.cwd, session };
    const noTerminal = options.mode?.kind === 'detached' ? needsTerminal(plan.spec.argv) : null;
    if (noTerminal !== null) {
      skip(noTerminal, shown);
      continue;
    }
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
  // Outcomes in start order (null while a start settles), for the "failures in a row" stop.
  const outcomes: (RestoreAction | null)[] = [];
  const settling: Promise<void>[] = [];
  const tooManyFailures = (): boolean => {
    let run = 0;
    for (const outcome of outcomes) {
      run = outcome === 'failed' ? run + 1 : 0;
      if (run >= FAILURES_IN_A_ROW) return true;
    }
    return false;
  };
  const start = async ({ index, plan, shown, where }: (typeof starts)[number]): Promise<void> => {
    const position = outcomes.push(null) - 1;
    const done = (result: RestoreResult): void => {
      outcomes[position] = result.action;
      settle(index, result);
    };
    const life: { key: Reservation['key'] | null } = { key: null };
    try {
      const started = await startLife(ctx, plan.spec, mode!, options.paths, (reservation) => (life.key = reservation.key));
      const startedAtMs = Date.now();
      // The next start need not wait: settle windows overlap, and the run ends when the last has settled.
      settling.push(
        (async () => {
          const failure = options.settleMs > 0 && life.key !== null ? await settleLife(ctx, life.key, startedAtMs, options.settleMs) : null;
          if (failure === null) done({ name: plan.name, action: 'resumed', reason: null, pid: started.pid, where, plan: shown });
          else done({ name: plan.name, action: 'failed', reason: failure, pid: null, where: null, plan: shown });
        })(),
      );
    } catch (error) {
      const elsewhere = startedElsewhere(ctx, plan.name, error);
      if (elsewhere !== null) done({ name: plan.name, action: 'skipped', reason: elsewhere, pid: null, where: null, plan: shown });
      else done({ name: plan.name, action: 'failed', reason: messageOf(error), pid: null, where: null, plan: shown });
    }
  };
  const leave = ({ index, plan, shown }: (typeof starts)[number]): void =>
    settle(index, { name: plan.name, action: 'skipped', reason: `not started: ${FAILURES_IN_A_ROW} resumes failed in a row`, pid: null, where: null, plan: shown });
  if (options.spacingMs > 0) {
    let lastStartMs = -Infinity;
    const lastOfAgent = new Map<string, number>();
    for (const order of starts) {
      const agent = agentOf(order.plan.spec.argv)?.name ?? null;
      const sameAgentMs = agent === null ? -Infinity : (lastOfAgent.get(agent) ?? -Infinity) + options.agentSpacingMs;
      const waitMs = Math.max(lastStartMs + options.spacingMs, sameAgentMs) - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      if (tooManyFailures()) {
        leave(order);
        continue;
      }
      lastStartMs = Date.now();
      if (agent !== null) lastOfAgent.set(agent, lastStartMs);
      await start(order);
    }
  } else {
    // No spacing asked for: the starts overlap, a few at a time (each waits for its launcher's report).
    const queue = [...starts];
    const worker = async (): Promise<void> => {
      for (let order = queue.shift(); order !== undefined; order = queue.shift()) {
        if (tooManyFailures()) leave(order);
        else await start(order);
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_STARTS, queue.length) }, worker));
  }
  await Promise.all(settling);
  return { bootId: set.bootId, results: results as RestoreResult[] };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function snapshotCwd(stop: EventRow): string {
  const cwd: unknown = decodeLifeEvent('life.stopped', stop).snapshot?.cwd;
  return typeof cwd === 'string' && cwd !== '' ? cwd : '(unknown)';
}
