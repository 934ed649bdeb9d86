import { lstatSync } from 'node:fs';
import { LifelineError } from '../errors.js';
import { checkOwner, checkStateFolder } from '../store/files.js';
import type { StatePaths } from '../store/paths.js';

function messageOf(error: unknown): string {
  return error instanceof LifelineError ? error.message : String(error);
}

/**
 * What `doctor` reports as problems of trust (SPEC §11): a state folder or logs folder that another
 * user owns, or a logs folder that is a link. The database's owner is checked where doctor opens it.
 */
export function trustProblems(paths: StatePaths): string[] {
  const problems: string[] = [];
  try {
    checkStateFolder(paths.home);
  } catch (error) {
    problems.push(messageOf(error));
  }
  try {
    const stats = lstatSync(paths.logs);
    if (stats.isSymbolicLink()) problems.push(`the logs folder ${paths.logs} is a symbolic link; lifeline writes only into a real folder of its own`);
    else checkOwner(stats, paths.logs, 'the logs folder');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(messageOf(error));
  }
  return problems;
}
