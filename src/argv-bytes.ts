import { readFileSync, readlinkSync } from 'node:fs';
import { LifelineError } from './errors.js';
import { isUtf8 } from './proc/parse.js';

/**
 * Node 20 decodes argv and paths as UTF-8 and silently turns bytes that are not UTF-8 into U+FFFD,
 * so a program would be launched with other arguments, or in a folder that does not exist, than the
 * ones the user gave. Node cannot pass such bytes on; lifeline refuses them in one line instead. The
 * bytes are read where the kernel keeps them (Linux); elsewhere there is nothing to compare with.
 */

/** Printable ASCII as it is, every other byte as \xHH: how the refused word looked. */
function shown(bytes: Buffer): string {
  return [...bytes].map((byte) => (byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
}

/** Refuses an argument that is not valid UTF-8; `args` are the user's words (process.argv after the script). */
export function checkArgvBytes(args: readonly string[]): void {
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return; // No /proc (macOS): Node's own decoding is all there is.
  }
  const words: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0) {
      words.push(raw.subarray(start, i));
      start = i + 1;
    }
  }
  for (const word of words.slice(Math.max(0, words.length - args.length))) {
    if (!isUtf8(word)) {
      throw new LifelineError('usage', `the argument ${shown(word)} is not valid UTF-8; Node.js would pass it on altered, so lifeline refuses it`);
    }
  }
}

/** Refuses to start a program from a current folder whose name is not valid UTF-8. */
export function checkCwdBytes(): void {
  let raw: Buffer;
  try {
    raw = readlinkSync('/proc/self/cwd', { encoding: 'buffer' });
  } catch {
    return;
  }
  if (!isUtf8(raw)) {
    throw new LifelineError('usage', `the current folder ${shown(raw)} is not valid UTF-8; Node.js cannot start a program there (cd to another folder, or rename it)`);
  }
}

/**
 * The folder a program launched now starts in: the current one, which must still exist (a folder
 * deleted under the shell makes Node's cwd fail) and be named in valid UTF-8.
 */
export function currentFolder(): string {
  checkCwdBytes();
  try {
    return process.cwd();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new LifelineError('missing-folder', 'the current folder no longer exists (deleted or moved away); cd to a folder that does, then launch again');
  }
}

/** The variables that name lifeline's folders and files (SPEC §2, §6). */
const PATH_VARIABLES = ['LIFELINE_HOME', 'LIFELINE_DB', 'XDG_STATE_HOME', 'HOME', 'LIFELINE_PROC_ROOT'];

/**
 * Refuses a state folder or database named in the environment with bytes that are not UTF-8: Node
 * would hand lifeline a path with U+FFFD in it, and lifeline would make and use another folder.
 */
export function checkEnvironmentBytes(): void {
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/environ');
  } catch {
    return;
  }
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && raw[i] !== 0) continue;
    const entry = raw.subarray(start, i);
    start = i + 1;
    const equals = entry.indexOf(0x3d);
    if (equals <= 0) continue;
    const key = entry.subarray(0, equals).toString('latin1');
    if (PATH_VARIABLES.includes(key) && !isUtf8(entry.subarray(equals + 1))) {
      throw new LifelineError('usage', `${key}=${shown(entry.subarray(equals + 1))} is not valid UTF-8; Node.js would read another path, so lifeline refuses it`);
    }
  }
}
