/**
 * Pure parsers for the text the kernel hands out. They never throw: malformed input gives null,
 * so a corrupt or hostile proc file can only make a process look gone, never crash a reconcile.
 */

export interface StatFields {
  /** Field 3: R, S, D, Z, X, … */
  readonly state: string;
  /** Field 4. */
  readonly ppid: number;
  /** Field 5. */
  readonly pgrp: number;
  /** Field 9, the kernel's PF_* flags: PF_KTHREAD marks a kernel thread. */
  readonly flags: number;
  /** Field 22, kept as the exact decimal text: it is an identity token, not a number to do sums on. */
  readonly startTicks: string;
}

/**
 * Parses `/proc/<pid>/stat`. The command name (field 2) sits in parentheses and may itself hold
 * spaces, parentheses and newlines, so the fields are read after the *last* `)`.
 */
export function parseStat(text: string): StatFields | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const rest = text.slice(close + 1).trim().split(/\s+/);
  // rest[0] is field 3; field n is rest[n - 3].
  const state = rest[0];
  const ppidText = rest[1];
  const pgrpText = rest[2];
  const flagsText = rest[6];
  const startTicks = rest[19];
  if (state === undefined || ppidText === undefined || pgrpText === undefined || flagsText === undefined || startTicks === undefined) return null;
  if (!/^[A-Za-z]$/.test(state) || !/^-?\d+$/.test(ppidText) || !/^-?\d+$/.test(pgrpText) || !/^\d+$/.test(flagsText) || !/^\d+$/.test(startTicks)) {
    return null;
  }
  return { state, ppid: Number(ppidText), pgrp: Number(pgrpText), flags: Number(flagsText), startTicks };
}

/** PF_KTHREAD in include/linux/sched.h: the process is a kernel thread, never a program of anyone's. */
export const PF_KTHREAD = 0x0020_0000;

/** `btime` from `/proc/stat`: the boot's wall-clock time in seconds since the epoch. */
export function parseBtime(text: string): number | null {
  const match = /^btime\s+(\d+)\s*$/m.exec(text);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** NUL-separated entries (environ, cmdline); a trailing NUL does not make an empty last entry. */
export function splitNul(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The first value of `key` in NUL-separated environ text, matching the whole `key=` prefix. */
export function environValue(text: string, key: string): string | null {
  const prefix = `${key}=`;
  for (const entry of splitNul(text)) {
    if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  }
  return null;
}

/** Whether the exact entry `key=value` is present: a look-alike key or a longer value does not count. */
export function environHasEntry(text: string, key: string, value: string): boolean {
  const wanted = `${key}=${value}`;
  return splitNul(text).includes(wanted);
}

/** `ps -A -o pid=,ppid=` (macOS): one `pid ppid` pair a line; lines that are not two numbers are skipped. */
export function parsePidPpidLines(text: string): Map<number, number> {
  const parents = new Map<number, number>();
  for (const line of text.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (match !== null) parents.set(Number(match[1]), Number(match[2]));
  }
  return parents;
}

/**
 * Every descendant of `root` in a pid → ppid map, nearest first. Bounded by the map's size, so a map
 * read while processes came and went (and could describe a cycle) still ends.
 */
export function descendantsOf(parents: ReadonlyMap<number, number>, root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parents) {
    if (pid === ppid) continue;
    const list = children.get(ppid);
    if (list === undefined) children.set(ppid, [pid]);
    else list.push(pid);
  }
  const found: number[] = [];
  const seen = new Set<number>([root]);
  const queue = [root];
  while (queue.length > 0 && found.length < parents.size) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether bytes are valid UTF-8: Node would silently turn anything else into U+FFFD. */
export function isUtf8(bytes: Buffer): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
