import { setTimeout as sleep } from 'node:timers/promises';
import { exitCodeFor, LifelineError } from '../../errors.js';
import { checkName } from '../../lifecycle/names.js';
import { runReservedLife } from '../../lifecycle/starting/reserved.js';
import { withStore } from '../shared.js';

const LINGER_MS = 400;

/**
 * `lifeline launch NAME --reserved CREATED_AT [--resumed-from ID]`: what a tmux window that `--tmux`
 * opened runs — the foreground launcher of a life already reserved in the database. Not for people.
 */
export async function launchReserved(args: { name?: string | undefined; reserved: string; 'resumed-from'?: string | undefined; db?: string | undefined }): Promise<number> {
  const name = checkName(args.name);
  if (!/^\d+$/.test(args.reserved)) throw new LifelineError('usage', '--reserved takes the created_at of a reserved launch');
  const resumedFrom = args['resumed-from'];
  if (resumedFrom !== undefined && !/^\d+$/.test(resumedFrom)) throw new LifelineError('usage', '--resumed-from takes an event id');
  const notWaiting = (): never => {
    throw new LifelineError('launch-failed', `no launch of ${name} is waiting to start`);
  };
  return withStore(args, 'write', async ({ ctx, paths }) => {
    try {
      const result = await runReservedLife(ctx, name, Number(args.reserved), resumedFrom === undefined ? null : Number(resumedFrom), paths);
      return result.exitCode;
    } catch (error) {
      if (!(error instanceof LifelineError)) throw error;
      // The command that opened the window reads this line from the pane. tmux can drop what a pane
      // writes just before it exits, so the launcher stays a moment after saying it.
      process.stderr.write(`lifeline: ${error.message}\n`);
      await sleep(LINGER_MS);
      return exitCodeFor(error);
    }
  }, notWaiting);
}
