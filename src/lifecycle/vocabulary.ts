/** The fixed words of the life log: who ended an instance and why (SPEC §3). */

export type StoppedBy = 'system' | 'user' | 'self';
export type StartedBy = 'user' | 'track';

export type DeadReason =
  | 'exit:reboot'
  | 'exit:gone'
  | 'exit:pid-reused'
  | 'exit:marker-mismatch'
  | 'exit:launch-failed';

export type ExitReason = `exit:code:${number}` | `exit:signal:${string}`;

/**
 * Recorded instead of an ExitReason when the program ended while whatever watched it had itself
 * received SIGTERM (within SHUTDOWN_WINDOW_MS, either order): its whole session was going down.
 */
export const SHUTDOWN_REASON = 'exit:shutdown';
export type ShutdownReason = typeof SHUTDOWN_REASON;

export type Reason = DeadReason | ExitReason | ShutdownReason | 'stopped';

/**
 * One reconcile pass, as recorded in each `life.stopped` it writes (an extra data field, `pass`): the
 * stops of one pass are what `r --all` brings back. `id` is new for every pass, so a forced second pass
 * of the same boot is a pass of its own.
 */
export interface ReconcilePass {
  readonly id: string;
  readonly boot_id: string;
}

/**
 * What an agent instance is doing (SPEC §14): `working` from a submitted prompt to the end of its
 * turn, `waiting` while it asks the user (a permission prompt, a question), `idle` ready for a
 * prompt, `unknown` before its agent reported anything. It belongs to one verified life.
 */
export const TURN_STATES = ['working', 'waiting', 'idle', 'unknown'] as const;
export type TurnState = (typeof TURN_STATES)[number];

/** What `lifeline wait --until` waits for: a turn state an agent reports, or the end of the instance. */
export const WAIT_TARGETS = ['idle', 'waiting', 'stopped'] as const;
export type WaitTarget = (typeof WAIT_TARGETS)[number];

/** `wait` reads the registry at most this often: each look opens no process but reads /proc and SQLite. */
export const WAIT_POLL_MS = 250;

/** The environment entries lifeline plants in every program it launches. */
export const MARKER_ENV = 'LIFELINE_INSTANCE_ID';
export const NAME_ENV = 'LIFELINE_NAME';
/** Also set in a launched program's environment when lifeline runs on a chosen database. */
export const DB_ENV = 'LIFELINE_DB';

/** kv keys. */
export const KV_DEVICE_ID = 'device_id';
export const KV_RECONCILE_BOOT = 'reconcile.boot';
export const KV_RECONCILE_AT = 'reconcile.at';

/** A `launching` row older than this never got its process recorded: its launcher died. */
export const LAUNCH_TIMEOUT_MS = 30_000;
/** With no start token, a process that began this long after its row was written cannot be the row's. */
export const START_SLACK_MS = 2_000;

/**
 * How close a watcher's own SIGTERM and its program's end must be for the end to count as the
 * session's going down. A shutdown signals every process at once, so the two land within
 * milliseconds; a second leaves room for a program that saves its state first.
 */
export const SHUTDOWN_WINDOW_MS = 1_000;

export function exitReason(code: number | null, signal: NodeJS.Signals | null): ExitReason {
  if (signal !== null) return `exit:signal:${signal}`;
  return `exit:code:${code ?? 0}`;
}
