import { childProcesses } from '../child-processes.js';
import { LifelineError } from '../errors.js';
import { parsePidPpidLines } from './parse.js';
import type { EnvironCheck, EnvironValue, ProcessDescription, ProcessFacts, ProcessProbe } from './types.js';

/** Runs one platform command and returns what it printed; a failed command is `ok: false`, never a throw. */
export type CommandRunner = (command: string, args: readonly string[]) => { ok: boolean; stdout: string };

/**
 * `ps` prints lstart in the local time zone; UTC makes the start token independent of the user's
 * zone (travel, a changed TZ) so the same process always gets the same token. C locale fixes the names.
 */
export const systemRunner: CommandRunner = (command, args) => {
  const result = childProcesses().spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' }, timeout: 10_000 });
  return { ok: result.error === undefined && result.status === 0, stdout: result.stdout ?? '' };
};

interface PsLine {
  readonly pgid: number;
  readonly uid: number;
  readonly state: string;
  readonly startSeconds: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue Nov 24 19:14:02 2026` (C locale, UTC) → seconds since the epoch. */
export function parseLstart(text: string): number | null {
  const match = /^\w{3}\s+(\w{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/.exec(text.trim());
  if (match === null) return null;
  const month = MONTHS.indexOf(match[1]!);
  if (month < 0) return null;
  return Date.UTC(Number(match[6]), month, Number(match[2]), Number(match[3]), Number(match[4]), Number(match[5])) / 1000;
}

/** One line of `ps -o pid=,pgid=,uid=,stat=,lstart= -p PID`. */
export function parsePsLine(text: string): PsLine | null {
  const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+?)\s*$/.exec(text);
  if (match === null) return null;
  const startSeconds = parseLstart(match[5]!);
  if (startSeconds === null) return null;
  return { pgid: Number(match[2]), uid: Number(match[3]), state: match[4]!, startSeconds };
}

/**
 * macOS backend: `sysctl` for the boot, `ps` for identity and environment, `lsof` for the folder.
 * lstart has one-second resolution: a pid reused within the same second by a process started in
 * that second would share the token; the marker check still tells them apart.
 */
export class DarwinProbe implements ProcessProbe {
  readonly platform = 'darwin';

  constructor(
    private readonly run: CommandRunner = systemRunner,
    private readonly uid: number = process.getuid?.() ?? 0,
  ) {}

  bootId(): string {
    const uuid = this.run('sysctl', ['-n', 'kern.bootsessionuuid']);
    if (uuid.ok && uuid.stdout.trim() !== '') return uuid.stdout.trim();
    const boottime = this.run('sysctl', ['-n', 'kern.boottime']);
    const sec = /sec\s*=\s*(\d+)/.exec(boottime.stdout)?.[1];
    if (sec === undefined) throw new LifelineError('unsupported-platform', 'cannot read a boot id (no kern.bootsessionuuid and no kern.boottime)');
    return `btime:${sec}`;
  }

  bootIdSource(): string {
    return 'sysctl kern.bootsessionuuid';
  }

  inspect(pid: number): ProcessFacts {
    const line = this.ps(pid);
    if (line === null) return { state: 'gone' };
    const startToken = `darwin:${line.startSeconds}`;
    if (line.state.startsWith('Z')) return { state: 'zombie', startToken };
    // macOS shows kernel work as pid 0 (kernel_task) only.
    return { state: 'running', startToken, startedAtMs: line.startSeconds * 1000, pgid: line.pgid, kernelThread: pid === 0 };
  }

  hasEnvEntry(pid: number, key: string, value: string): EnvironCheck {
    const words = this.environWords(pid);
    if (!Array.isArray(words)) return words;
    return words.includes(`${key}=${value}`) ? 'present' : 'absent';
  }

  envValue(pid: number, key: string): EnvironValue {
    const words = this.environWords(pid);
    if (words === 'gone') return { kind: 'gone' };
    if (words === 'denied') return { kind: 'denied' };
    const entry = words.find((word) => word.startsWith(`${key}=`));
    return entry === undefined ? { kind: 'missing' } : { kind: 'value', value: entry.slice(key.length + 1) };
  }

  parentPid(pid: number): number | null {
    const result = this.run('ps', ['-o', 'ppid=', '-p', String(pid)]);
    const text = result.stdout.trim();
    return result.ok && /^\d+$/.test(text) ? Number(text) : null;
  }

  describe(pid: number): ProcessDescription | null {
    const command = this.run('ps', ['-ww', '-o', 'command=', '-p', String(pid)]);
    if (!command.ok || command.stdout.trim() === '') return null;
    // ps joins argv with spaces, so an argument holding a space cannot be told apart: the best there is.
    const argv = command.stdout.trim().split(/\s+/);
    const lsof = this.run('lsof', ['-a', '-p', String(pid), '-d', 'cwd', '-Fn']);
    const cwd = lsof.ok ? (lsof.stdout.split('\n').find((line) => line.startsWith('n'))?.slice(1) ?? null) : null;
    return { argv, cwd, exact: true }; // ps and lsof print text: the bytes are not there to check.
  }

  /** macOS has one pid namespace: the pids `ps` shows are the pids `kill` reaches. */
  showsOwnPidNamespace(): boolean {
    return true;
  }

  parentsOfAll(): ReadonlyMap<number, number> {
    const result = this.run('ps', ['-A', '-o', 'pid=,ppid=']);
    return result.ok ? parsePidPpidLines(result.stdout) : new Map();
  }

  private ps(pid: number): PsLine | null {
    const result = this.run('ps', ['-o', 'pid=,pgid=,uid=,stat=,lstart=', '-p', String(pid)]);
    if (!result.ok) return null;
    const line = result.stdout.split('\n').find((text) => text.trim() !== '');
    return line === undefined ? null : parsePsLine(line);
  }

  /**
   * `ps -E` appends the environment to the command, space-separated. macOS shows another user's
   * environment to nobody but root, so a foreign process is reported as denied, like EACCES on Linux.
   */
  private environWords(pid: number): string[] | 'denied' | 'gone' {
    const line = this.ps(pid);
    if (line === null) return 'gone';
    if (line.uid !== this.uid && this.uid !== 0) return 'denied';
    const result = this.run('ps', ['-E', '-ww', '-o', 'command=', '-p', String(pid)]);
    if (!result.ok) return 'gone';
    return result.stdout.trim().split(/\s+/);
  }
}
