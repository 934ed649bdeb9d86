/**
 * The life log's payloads (SPEC §2): the one place that says what each event's `data` holds, and the
 * one pair that turns it into the stored JSON text and back. Writers build the typed value; readers
 * decode here and still check the fields they use, because a row may have been written by an older
 * lifeline or by hand.
 */
import type { EventRow, EventType, InstanceRow } from '../store/rows.js';
import type { ReconcilePass, Reason, StartedBy, StoppedBy } from './vocabulary.js';

/** An instance row as `life.stopped` keeps it: argv and resume_argv as arrays, plus the bindings. */
export interface Snapshot extends Omit<InstanceRow, 'argv' | 'resume_argv'> {
  argv: unknown;
  resume_argv: unknown;
  bindings: { kind: string; value: string }[];
  [column: string]: unknown;
}

export interface LifeStarted {
  by: StartedBy;
  pid: number;
  marker: string | null;
  /** The `life.stopped` event id this life resumes, or null. */
  resumed_from: number | null;
}

export interface LifeStopped {
  by: StoppedBy;
  reason: Reason;
  snapshot: Snapshot;
  /** Set only by reconcile: the pass that ended the instance, so `r --all` finds its stops. */
  pass?: ReconcilePass;
}

export interface LifeForgotten {
  by: 'user';
  /** The `life.stopped` event id this hides. */
  stopped: number;
}

export interface LifeEventData {
  'life.started': LifeStarted;
  'life.stopped': LifeStopped;
  'life.forgotten': LifeForgotten;
}

/** The `data` text of an event of `type`. */
export function encodeLifeEvent<T extends EventType>(_type: T, data: LifeEventData[T]): string {
  return JSON.stringify(data);
}

/**
 * The `data` of an event the caller knows to be of `type` (it selected it by type). Throws a
 * SyntaxError when the text is not JSON at all.
 */
export function decodeLifeEvent<T extends EventType>(_type: T, event: Pick<EventRow, 'data'>): LifeEventData[T] {
  return JSON.parse(event.data) as LifeEventData[T];
}

/** The `data` of an event of any type, for readers that show it whole (`events`, `show`). */
export function decodeAnyLifeEvent(event: Pick<EventRow, 'data'>): LifeEventData[EventType] {
  return JSON.parse(event.data) as LifeEventData[EventType];
}
