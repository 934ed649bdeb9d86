/** Row shapes of the four tables, named as the SPEC names the columns. */

export const INSTANCE_STATUSES = ['launching', 'active'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

export const EVENT_TYPES = ['life.started', 'life.stopped', 'life.forgotten'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface InstanceRow {
  name: string;
  status: InstanceStatus;
  pid: number | null;
  boot_id: string;
  proc_start: string | null;
  marker: string | null;
  created_at: number;
  origin_device_id: string | null;
  /** JSON array. */
  argv: string;
  cwd: string;
  /** JSON array template, or null to resume with `argv`. */
  resume_argv: string | null;
  tag: string | null;
  detached: number;
}

export interface BindingRow {
  instance: string;
  kind: string;
  value: string;
  created_at: number;
}

export interface EventRow {
  id: number;
  ts: number;
  instance: string;
  type: EventType;
  /** JSON. */
  data: string;
}

/** Identifies one life of a name: a later instance of the same name has another created_at and marker. */
export interface InstanceKey {
  readonly name: string;
  readonly createdAtMs: number;
  readonly marker: string | null;
}

/** One life's turn state (table `turns`, schema 2): `state` is a TurnState word, `since` ms since the epoch. */
export interface TurnRow {
  instance: string;
  marker: string;
  state: string;
  since: number;
}
