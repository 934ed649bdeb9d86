import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LifelineError } from '../errors.js';
import { environHasEntry, environValue, isUtf8, parseBtime, parseStat, PF_KTHREAD, splitNul } from './parse.js';
import type { EnvironCheck, EnvironValue, ProcessDescription, ProcessFacts, ProcessProbe } from './types.js';


/** The SPEC fixes CLK_TCK at 100 on Linux, which spares a `getconf` child process. */
const CLOCK_TICKS_PER_SECOND = 100;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isPermissionError(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'EACCES' || code === 'EPERM';
}

/**
 * Linux backend: every read goes through one proc root (`LIFELINE_PROC_ROOT`, default `/proc`), so a
 * fixture folder can stand in for another boot, a reused pid or another user's process.
 */
export class LinuxProbe implements ProcessProbe {
  readonly platform = 'linux';
  private cachedBtime: number | null | undefined;

  constructor(readonly procRoot: string) {}

  bootId(): string {
    try {
      const id = readFileSync(join(this.procRoot, 'sys/kernel/random/boot_id'), 'utf8').trim();
      if (id !== '') return id;
    } catch {
      // Fall through to btime: some containers hide boot_id.
    }
    const btime = this.btime();
    if (btime === null) {
      throw new LifelineError(
        'unsupported-platform',
        `cannot read a boot id from ${this.procRoot} (no sys/kernel/random/boot_id and no btime in stat)`,
      );
    }
    return `btime:${btime}`;
  }

  bootIdSource(): string {
    return existsSync(join(this.procRoot, 'sys/kernel/random/boot_id'))
      ? join(this.procRoot, 'sys/kernel/random/boot_id')
      : `btime in ${join(this.procRoot, 'stat')}`;
  }

  inspect(pid: number): ProcessFacts {
    let text: string;
    try {
      text = readFileSync(join(this.procRoot, String(pid), 'stat'), 'utf8');
    } catch {
      return { state: 'gone' };
    }
    const stat = parseStat(text);
    if (stat === null) return { state: 'gone' };
    const startToken = `linux:${stat.startTicks}`;
    if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return { state: 'zombie', startToken };
    const btime = this.btime() ?? 0;
    const startedAtMs = btime * 1000 + Math.round((Number(stat.startTicks) * 1000) / CLOCK_TICKS_PER_SECOND);
    return {
      state: 'running',
      startToken,
      startedAtMs,
      pgid: stat.pgrp,
      // Pid 2 (kthreadd) is the parent of every kernel thread; the flag says it for the thread itself.
      kernelThread: (stat.flags & PF_KTHREAD) !== 0 || pid === 2 || stat.ppid === 2,
    };
  }

  hasEnvEntry(pid: number, key: string, value: string): EnvironCheck {
    const read = this.readEnviron(pid);
    if (!read.ok) return read.why;
    return environHasEntry(read.text, key, value) ? 'present' : 'absent';
  }

  envValue(pid: number, key: string): EnvironValue {
    const read = this.readEnviron(pid);
    if (!read.ok) return { kind: read.why };
    const value = environValue(read.text, key);
    return value === null ? { kind: 'missing' } : { kind: 'value', value };
  }

  parentPid(pid: number): number | null {
    try {
      return parseStat(readFileSync(join(this.procRoot, String(pid), 'stat'), 'utf8'))?.ppid ?? null;
    } catch {
      return null;
    }
  }

  describe(pid: number): ProcessDescription | null {
    let cmdline: Buffer;
    try {
      cmdline = readFileSync(join(this.procRoot, String(pid), 'cmdline'));
    } catch {
      return null;
    }
    let cwd: Buffer | null = null;
    try {
      cwd = readlinkSync(join(this.procRoot, String(pid), 'cwd'), { encoding: 'buffer' });
    } catch {
      // Another user's process: its folder is not ours to see.
    }
    return {
      argv: splitNul(cmdline.toString('utf8')),
      cwd: cwd === null ? null : cwd.toString('utf8'),
      exact: isUtf8(cmdline) && (cwd === null || isUtf8(cwd)),
    };
  }

  /**
   * `<root>/self` is a link to the reader's pid as the proc root's namespace numbers it. Its
   * `ns/pid` would always match ours (self is the reader), so the pid it names is what tells: equal
   * to our own pid only when that namespace is ours. A fixture folder without `self` verifies nothing.
   */
  showsOwnPidNamespace(): boolean {
    try {
      return readlinkSync(join(this.procRoot, 'self')) === String(process.pid);
    } catch {
      return false;
    }
  }

  parentsOfAll(): ReadonlyMap<number, number> {
    const parents = new Map<number, number>();
    let entries: string[];
    try {
      entries = readdirSync(this.procRoot);
    } catch {
      return parents;
    }
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = parseStat(readFileSync(join(this.procRoot, entry, 'stat'), 'utf8'));
        if (stat !== null) parents.set(Number(entry), stat.ppid);
      } catch {
        // Ended while the folder was read.
      }
    }
    return parents;
  }

  /** Not a bare string union: an environ could hold the text "denied" and be taken for a verdict. */
  private readEnviron(pid: number): { ok: true; text: string } | { ok: false; why: 'denied' | 'gone' } {
    try {
      return { ok: true, text: readFileSync(join(this.procRoot, String(pid), 'environ'), 'latin1') };
    } catch (error) {
      return { ok: false, why: isPermissionError(error) ? 'denied' : 'gone' };
    }
  }

  private btime(): number | null {
    if (this.cachedBtime === undefined) {
      try {
        this.cachedBtime = parseBtime(readFileSync(join(this.procRoot, 'stat'), 'utf8'));
      } catch {
        this.cachedBtime = null;
      }
    }
    return this.cachedBtime;
  }
}
