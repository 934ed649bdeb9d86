/**
 * What an agent instance is doing (SPEC §14): the turn state its agent's own hooks report, kept for
 * one life (the stop path deletes it with the row) and shown only while that life is verified.
 */
import { agentOf } from '../../agents/argv.js';
import type { AgentKnowledge, TurnEvent } from '../../agents/known.js';
import type { InstanceRow } from '../../store/rows.js';
import type { Store } from '../../store/store.js';
import type { LifelineContext } from '../context.js';
import type { TurnState } from '../vocabulary.js';

/** The agent an argv array runs, or null (also for anything that is not an array of words). */
export function agentOfArgv(argv: unknown): AgentKnowledge | null {
  return Array.isArray(argv) && argv.every((word) => typeof word === 'string') ? agentOf(argv) : null;
}

/** The agent a row runs, or null (also for an argv column that is not JSON: written by something else). */
export function agentOfRow(row: InstanceRow): AgentKnowledge | null {
  try {
    return agentOfArgv(JSON.parse(row.argv));
  } catch {
    return null;
  }
}

/** The state a hook's payload reports, or null when the event moves none (or not with this payload). */
export function turnOfEvent(agent: AgentKnowledge, payload: Readonly<Record<string, unknown>>): TurnEvent['turn'] | null {
  const name = payload['hook_event_name'];
  const match = agent.turnEvents.find(
    (known) => known.event === name && (known.when === undefined || payload[known.when.field] === known.when.equals),
  );
  return match?.turn ?? null;
}

/** One turn report from an agent's hook: which agent's hook ran, the session it speaks for, the state. */
export interface TurnReport {
  readonly agent: string;
  readonly event: string;
  readonly sessionId: string;
  readonly turn: TurnEvent['turn'];
}

/**
 * `nested`: the report of an agent started inside the instance, expected and ignored quietly (a
 * `claude -p` in a tool fires several per run); `refused`: a report that says something is set up
 * wrong (an instance with no agent or no session bound), worth a line in hook.log.
 */
export type TurnRecord =
  | { readonly kind: 'moved' | 'unchanged'; readonly name: string }
  | { readonly kind: 'no-instance' }
  | { readonly kind: 'nested' | 'refused'; readonly name: string; readonly why: string };

/**
 * Why a report must not move the instance's state, or null when it may. Every process below the
 * instance inherits its marker, so an agent started inside it (`claude -p` in a tool, `codex exec`)
 * fires its hooks with that marker too: only the instance's own agent, speaking for the session the
 * instance is bound to, reports its turns. Cheaper than SessionStart's check (no process walk): the
 * session id alone tells them apart, and a turn hook must cost no more than a start hook.
 */
function refusal(ctx: LifelineContext, row: InstanceRow, runs: AgentKnowledge | null, report: TurnReport): Omit<Extract<TurnRecord, { why: string }>, 'name'> | null {
  if (runs === null) return { kind: 'refused', why: `${row.name} runs no agent (${report.agent} ${report.event} of session ${report.sessionId})` };
  if (report.agent !== runs.name) return { kind: 'nested', why: `a ${report.agent} started inside ${row.name}, which runs ${runs.name}` };
  const bound = ctx.store.bindingsOf(row.name).find((binding) => binding.kind === 'session')?.value;
  if (bound === undefined) return { kind: 'refused', why: `${report.event} of session ${report.sessionId} for ${row.name}, which has no session bound yet` };
  if (bound !== report.sessionId) return { kind: 'nested', why: `${report.event} of session ${report.sessionId}, not ${row.name}'s (${bound})` };
  return null;
}

/** Records a turn report for the instance whose marker the hook inherited. `since` moves only with the state. */
export function recordTurn(ctx: LifelineContext, marker: string, report: TurnReport): TurnRecord {
  return ctx.store.writeTransaction((): TurnRecord => {
    const row = ctx.store.instanceByMarker(marker);
    if (row === null) return { kind: 'no-instance' };
    const refused = refusal(ctx, row, agentOfRow(row), report);
    if (refused !== null) return { ...refused, name: row.name };
    if (ctx.store.turnOf(row.name, marker)?.state === report.turn) return { kind: 'unchanged', name: row.name };
    ctx.store.setTurn({ instance: row.name, marker, state: report.turn, since: ctx.now() });
    return { kind: 'moved', name: row.name };
  });
}

/** Sources of a SessionStart that go on with the same conversation: its turn goes on too. */
const CONTINUING_SOURCES: ReadonlySet<string> = new Set(['compact', 'resume']);

/**
 * The turn after a SessionStart the instance took (inside its transaction): a new session (startup,
 * `/clear`) starts `idle`; one that continues (`compact` mid-turn, `resume`) keeps the state, and
 * starts `idle` when this life has none yet (an agent resumed by `lifeline r` waits for a prompt).
 */
export function startTurn(store: Store, row: InstanceRow, source: string | undefined, nowMs: number): void {
  if (row.marker === null) return;
  const current = store.turnOf(row.name, row.marker);
  if (current !== null && CONTINUING_SOURCES.has((source ?? '').toLowerCase())) return;
  if (current?.state === 'idle') return;
  store.setTurn({ instance: row.name, marker: row.marker, state: 'idle', since: nowMs });
}

export interface TurnView {
  readonly turn: TurnState | null;
  /** When it entered that state (ms since the epoch), or null with no state or `unknown`. */
  readonly turn_since: number | null;
}

export const NO_TURN: TurnView = { turn: null, turn_since: null };

/**
 * What `list` and `show` say about a row's turn: null for a program that is no agent and for every
 * instance not verified running now (`alive` comes from `judge`), so a ghost's last `working` is
 * never shown; `unknown` for a running agent that reported nothing yet.
 */
export function turnView(store: Store, row: InstanceRow, alive: boolean): TurnView {
  if (!alive || agentOfRow(row) === null) return NO_TURN;
  const recorded = row.marker === null ? null : store.turnOf(row.name, row.marker);
  if (recorded === null) return { turn: 'unknown', turn_since: null };
  return { turn: recorded.state as TurnState, turn_since: recorded.since };
}
