import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { LifelineError } from '../errors.js';

/** Where lifeline keeps its state. Every path is absolute. */
export interface StatePaths {
  /** `LIFELINE_HOME`: the database (by default), logs and the boot stamp live here. */
  readonly home: string;
  readonly db: string;
  /** Read by the shell snippet: the boot id of the last reconcile, then a newline. */
  readonly stamp: string;
  /** Also read by the shell snippet: a boot's notice no terminal has shown yet (store/stamp.ts). */
  readonly notice: string;
  readonly logs: string;
  /** True when `--db` or `LIFELINE_DB` chose the file: its folder is then the user's, not ours. */
  readonly dbChosen: boolean;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** A blank path (`LIFELINE_DB=' '`) is a slip, not a file named by spaces in the current folder. */
function notBlank(value: string | undefined, what: string): string | undefined {
  if (value !== undefined && value !== '' && value.trim() === '') throw new LifelineError('usage', `${what} is blank; give a path or leave it unset`);
  return nonEmpty(value);
}

export function lifelineHome(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = notBlank(env['LIFELINE_HOME'], 'LIFELINE_HOME');
  if (explicit !== undefined) return resolve(explicit);
  const xdg = nonEmpty(env['XDG_STATE_HOME']);
  if (xdg !== undefined) return resolve(xdg, 'lifeline');
  return join(nonEmpty(env['HOME']) ?? homedir(), '.local', 'state', 'lifeline');
}

/** `--db` beats `LIFELINE_DB` beats `$LIFELINE_HOME/lifeline.db`. */
export function resolvePaths(dbFlag: string | undefined, env: NodeJS.ProcessEnv = process.env): StatePaths {
  const home = lifelineHome(env);
  const chosen = notBlank(dbFlag, '--db') ?? notBlank(env['LIFELINE_DB'], 'LIFELINE_DB');
  const db = chosen !== undefined ? resolve(chosen) : join(home, 'lifeline.db');
  return {
    home,
    db,
    // With a chosen database the stamp sits beside it, so two databases never share one stamp.
    stamp: chosen !== undefined ? `${db}.boot.stamp` : join(home, 'boot.stamp'),
    notice: chosen !== undefined ? `${db}.notice` : join(home, 'notice'),
    logs: join(home, 'logs'),
    dbChosen: chosen !== undefined,
  };
}

export function folderOf(path: string): string {
  return dirname(path);
}
