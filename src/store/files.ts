import { closeSync, constants, fchmodSync, fstatSync, lstatSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { LifelineError } from '../errors.js';

const { O_APPEND, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Another user's folder or file is refused, like ssh refuses another user's `~/.ssh`: whoever owns
 * it can swap in a database whose snapshot says `sh -c …`, and `lifeline r` would run that as us.
 * (An agent's configuration of another user is refused for the opposite reason: root writing it
 * would take it from its owner.)
 */
export function checkOwner(stats: Pick<Stats, 'uid'>, path: string, what: string, hint = 'chown it, or choose another with LIFELINE_HOME or --db'): void {
  const uid = process.getuid?.();
  if (uid === undefined || stats.uid === uid) return;
  throw new LifelineError('untrusted', `${what} ${path} belongs to another user (uid ${stats.uid}, you are uid ${uid}); lifeline refuses it (${hint})`);
}

/**
 * The state folder (`LIFELINE_HOME`) when it exists: a folder, ours. It may be the user's own link
 * to a folder elsewhere (dotfiles): the folder it leads to is what is checked. One stat, cheap
 * enough for the guarded reconcile.
 */
export function checkStateFolder(home: string): void {
  let stats: Stats;
  try {
    stats = statSync(home);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') return; // Not created yet: the first writing command creates it.
    if (code === 'ENOTDIR') throw new LifelineError('io', `the state folder ${home} lies under a file, not a folder (LIFELINE_HOME)`);
    throw new LifelineError('io', `cannot use the state folder ${home} (${code ?? 'error'})`);
  }
  if (!stats.isDirectory()) throw new LifelineError('io', `the state folder ${home} is a file, not a folder (LIFELINE_HOME)`);
  checkOwner(stats, home, 'the state folder');
}

/**
 * Creates a folder of ours 0700; an existing folder keeps its mode (the user's choice; `doctor` warns
 * when it is open) but must be a real folder of ours: a planted link (`logs` → somewhere else) or
 * another user's folder is refused. The mode is set on the folder's own descriptor, never by path.
 */
export function ensurePrivateFolder(folder: string, what = 'the folder'): void {
  let stats: Stats | null = null;
  try {
    stats = lstatSync(folder);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw new LifelineError('io', `cannot use ${what} ${folder} (${errnoOf(error) ?? 'error'})`);
  }
  if (stats !== null) {
    if (stats.isSymbolicLink()) throw new LifelineError('untrusted', `${what} ${folder} is a symbolic link; lifeline writes only into a real folder of its own`);
    if (!stats.isDirectory()) throw new LifelineError('io', `${what} ${folder} is a file, not a folder`);
    checkOwner(stats, folder, what);
    return;
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const fd = openSync(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    checkOwner(fstatSync(fd), folder, what);
    fchmodSync(fd, 0o700); // mkdir's mode went through the umask.
  } finally {
    closeSync(fd);
  }
}

/**
 * A small file read whole: null when it is missing, unreadable, not a regular file (opened
 * non-blocking, so a FIFO planted at its name cannot hang the read), or larger than `maxBytes`.
 * `followLinks: false` refuses a symbolic link at the name too.
 */
export function readSmallFile(path: string, maxBytes: number, followLinks = true): string | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (followLinks ? 0 : constants.O_NOFOLLOW));
  } catch {
    return null;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > maxBytes) return null;
    const bytes = Buffer.alloc(stats.size);
    return bytes.toString('utf8', 0, readSync(fd, bytes, 0, stats.size, 0));
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a file of ours for writing (`a`: append, creating it when missing; `wx`: create only, failing
 * when it exists) and returns the descriptor. Never through a symbolic link (O_NOFOLLOW), never a
 * FIFO or device (O_NONBLOCK, then a regular-file check), never another user's file or a hard link to
 * one; the mode is set to 0600 on the descriptor, whatever the umask, never by path.
 */
export function openPrivateFile(path: string, flags: 'a' | 'wx'): number {
  const how = flags === 'a' ? O_WRONLY | O_APPEND | O_CREAT : O_WRONLY | O_CREAT | O_EXCL;
  let fd: number;
  try {
    fd = openSync(path, how | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ELOOP') throw new LifelineError('untrusted', `${path} is a symbolic link; lifeline never writes through one`);
    if (code === 'ENXIO') throw new LifelineError('untrusted', `${path} is not a regular file; lifeline writes only to its own files`);
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new LifelineError('untrusted', `${path} is not a regular file; lifeline writes only to its own files`);
    checkOwner(stats, path, 'the file');
    if (stats.nlink > 1) throw new LifelineError('untrusted', `${path} has other hard links; lifeline writes only to its own files`);
    fchmodSync(fd, 0o600);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/**
 * SQLite reads and writes `-wal`, `-shm` and `-journal` beside the database by path, following
 * links. Whoever planted one (a database chosen with --db in a shared folder such as /tmp) would
 * feed SQLite pages of their own — a snapshot that says `sh -c …` — or have it write elsewhere. Each
 * that exists must be a plain file of ours. Returns whether a `-wal` file exists.
 */
export function checkCompanionFiles(database: string): boolean {
  let wal = false;
  for (const suffix of ['-wal', '-shm', '-journal']) {
    let stats: Stats;
    try {
      stats = lstatSync(`${database}${suffix}`);
    } catch {
      continue; // Absent (the usual case), or a folder we cannot look into: SQLite will say so itself.
    }
    if (stats.isSymbolicLink()) throw new LifelineError('untrusted', `${database}${suffix} is a symbolic link; lifeline refuses a database whose companion file is one`);
    checkOwner(stats, `${database}${suffix}`, 'the database file');
    if (suffix === '-wal') wal = true;
  }
  return wal;
}

const SQLITE_HEADER = 'SQLite format 3\0';

/** What the first 100 bytes of a SQLite file say (authoritative only while no `-wal` holds newer pages). */
export interface SqliteHeader {
  /** A 0-byte file: SQLite's own representation of an empty database. */
  readonly empty: boolean;
  readonly userVersion: number;
  readonly applicationId: number;
}

/**
 * Refuses anything that is not an SQLite file of ours before SQLite gets a chance to touch it:
 * SQLite would otherwise treat some foreign files as damaged databases and write a journal beside
 * them. The owner comes from the same fstat and the header from the same read, so these checks cost
 * the guarded reconcile nothing.
 */
export function checkSqliteHeader(path: string): SqliteHeader {
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NONBLOCK); // A FIFO planted as the database must not hang the shell start.
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EACCES' || code === 'EPERM') throw new LifelineError('io', `cannot read ${path}: permission denied`);
    if (code === 'EISDIR') throw new LifelineError('not-a-database', `${path} is a folder, not a SQLite database`);
    throw new LifelineError('io', `cannot read ${path} (${code ?? 'error'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new LifelineError('not-a-database', `${path} is a folder, not a SQLite database`);
    if (!stats.isFile()) throw new LifelineError('not-a-database', `${path} is not a regular file, not a SQLite database`);
    checkOwner(stats, path, 'the database');
    if (stats.size === 0) return { empty: true, userVersion: 0, applicationId: 0 };
    const header = Buffer.alloc(100);
    const read = readSync(fd, header, 0, 100, 0);
    if (read < 100 || header.toString('latin1', 0, 16) !== SQLITE_HEADER) {
      throw new LifelineError('not-a-database', `${path} is not a SQLite database; it was left untouched`);
    }
    return { empty: false, userVersion: header.readInt32BE(60), applicationId: header.readInt32BE(68) };
  } finally {
    closeSync(fd);
  }
}
