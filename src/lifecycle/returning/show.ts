import type { EventRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import type { Binding } from '../bindings.js';
import { decodeAnyLifeEvent, type LifeStopped } from '../life-log.js';
import { unknownNameError } from '../names.js';
import { previewResume } from './resume.js';
import { rememberedMode } from '../starting/start.js';
import { instanceStatuses } from '../ending/status.js';
import { NO_TURN, turnView } from '../turns/turn.js';
import type { TurnState } from '../vocabulary.js';

export interface ShownEvent {
  readonly id: number;
  readonly ts: number;
  readonly type: string;
  readonly data: unknown;
}

export interface InstanceShow {
  readonly name: string;
  /** `running`, `dead (<reason>)`, `launching`, `remote`, `untracked`, or `stopped`. */
  readonly state: string;
  /** What an agent is doing (SPEC §14); null for other programs and for anything not verified running. */
  readonly turn: TurnState | null;
  readonly turn_since: number | null;
  /** The row (argv and resume_argv as arrays) while the name has one, else null. */
  readonly row: Record<string, unknown> | null;
  /** The newest `life.stopped` snapshot when the name has no row, else null. */
  readonly snapshot: Record<string, unknown> | null;
  readonly stopped: { readonly event_id: number; readonly ts: number; readonly by: unknown; readonly reason: unknown } | null;
  readonly forgotten: boolean;
  readonly bindings: Binding[];
  /** What `lifeline r NAME` would run and how, or why it cannot. */
  readonly resume: { readonly argv: string[]; readonly cwd: string; readonly mode: string; readonly tmux: string | null } | { readonly error: string };
  /** Newest first. */
  readonly events: ShownEvent[];
}

const EVENTS_SHOWN = 10;

function parsed(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An event's data as decoded, or its text when it is not JSON (written by something else). */
function shownData(event: EventRow): unknown {
  try {
    return decodeAnyLifeEvent(event);
  } catch {
    return event.data;
  }
}

function shown(event: EventRow): ShownEvent {
  return { id: event.id, ts: event.ts, type: event.type, data: shownData(event) };
}

/** Everything lifeline knows about one name, read-only. */
export function showInstance(ctx: LifelineContext, name: string): InstanceShow {
  const { store } = ctx;
  const status = instanceStatuses(ctx).find((view) => view.row.name === name) ?? null;
  const stop = store.latestEvent(name, 'life.stopped');
  const events = store.recentEvents(name, EVENTS_SHOWN);
  if (status === null && events.length === 0) throw unknownNameError(name, store.knownNames());
  const forgottenEvent = store.latestEvent(name, 'life.forgotten');

  let row: Record<string, unknown> | null = null;
  let snapshot: Record<string, unknown> | null = null;
  let bindings: Binding[];
  if (status !== null) {
    row = { ...status.row, argv: parsed(status.row.argv), resume_argv: parsed(status.row.resume_argv) };
    bindings = store.bindingsOf(name).map(({ kind, value }) => ({ kind, value }));
  } else {
    snapshot = stop === null ? null : ((shownData(stop) as Partial<LifeStopped> | null)?.snapshot ?? null);
    bindings = Array.isArray(snapshot?.['bindings']) ? (snapshot['bindings'] as Binding[]) : [];
  }

  let resume: InstanceShow['resume'];
  try {
    const mode = rememberedMode(ctx, name);
    const plan = previewResume(ctx, name, { cwd: null, detached: mode.kind === 'detached' });
    resume = { argv: plan.argv, cwd: plan.cwd, mode: mode.kind, tmux: mode.kind === 'tmux' ? mode.session : null };
  } catch (error) {
    resume = { error: error instanceof Error ? error.message : String(error) };
  }
  const stopData = stop === null ? null : (shownData(stop) as Partial<LifeStopped> | null);
  return {
    name,
    state: status?.state ?? 'stopped',
    ...(status === null ? NO_TURN : turnView(store, status.row, status.alive)),
    row,
    snapshot,
    stopped: stop === null || status !== null ? null : { event_id: stop.id, ts: stop.ts, by: stopData?.by ?? null, reason: stopData?.reason ?? null },
    forgotten: status === null && stop !== null && forgottenEvent !== null && forgottenEvent.id > stop.id,
    bindings,
    resume,
    events: events.map(shown),
  };
}
