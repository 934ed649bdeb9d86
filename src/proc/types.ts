/**
 * The platform probe: the facts lifeline reads about processes and the boot, behind one small
 * interface (after psutil). Backends return facts and never decide what they mean; in particular
 * "no such process" is a value, not an exception.
 */

/** What one pid is right now. `startToken` is exact and platform-tagged, e.g. `linux:650833`. */
export type ProcessFacts =
  | { readonly state: 'gone' }
  /** Exited but not yet reaped: dead for every verdict; its token is kept for a launcher's own record. */
  | { readonly state: 'zombie'; readonly startToken: string }
  | {
      readonly state: 'running';
      readonly startToken: string;
      /** Wall-clock start, derived from boot time; only for rows that recorded no token, and uptime. */
      readonly startedAtMs: number;
      /** Process group id: a group lifeline created for the instance (and only that) is signalled whole. */
      readonly pgid: number;
      /** A kernel thread: no program, never tracked, never signalled. */
      readonly kernelThread: boolean;
    };

/** Whether an exact `KEY=value` entry is in a process's environment. */
export type EnvironCheck = 'present' | 'absent' | 'denied' | 'gone';

/** The value of one environment variable of a process, as far as it can be read. */
export type EnvironValue =
  | { readonly kind: 'value'; readonly value: string }
  | { readonly kind: 'missing' }
  | { readonly kind: 'denied' }
  | { readonly kind: 'gone' };

export interface ProcessDescription {
  readonly argv: string[];
  readonly cwd: string | null;
  /**
   * False when the command line or folder holds bytes that are not UTF-8: the strings above then
   * hold U+FFFD instead, and a resume from them would run another command or miss the folder.
   */
  readonly exact: boolean;
}

export interface ProcessProbe {
  /** `linux`, `darwin`: named in `doctor` and errors. */
  readonly platform: string;
  /** The id of the current boot; stable for the life of the boot. */
  bootId(): string;
  /** Where the boot id comes from, for `doctor`. */
  bootIdSource(): string;
  inspect(pid: number): ProcessFacts;
  /** Looks for the whole entry `key=value` (not a prefix, not a look-alike key). */
  hasEnvEntry(pid: number, key: string, value: string): EnvironCheck;
  envValue(pid: number, key: string): EnvironValue;
  /** The parent of a running process, or null when it is gone: for `track`'s refusal of lifeline's own ancestors. */
  parentPid(pid: number): number | null;
  /** Command line and folder, for `track`; null when the process is gone. */
  describe(pid: number): ProcessDescription | null;
  /**
   * Whether the pids this probe reads are the pids lifeline signals: false when the proc root shows
   * another pid namespace (a host `/proc` mounted into a container), where a verified pid names an
   * unrelated local process. Asked before any signal, never on the guarded path.
   */
  showsOwnPidNamespace(): boolean;
  /** Every process's parent (pid → ppid) as it is now: for the descendants of a foreground program. */
  parentsOfAll(): ReadonlyMap<number, number>;
}
