import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { waitUntil } from '../lifecycle/turns/until.js';
import { WAIT_TARGETS, type WaitTarget } from '../lifecycle/vocabulary.js';
import { dbArg, parseSeconds, withStore } from './shared.js';

function parseTarget(text: string | undefined): WaitTarget {
  if (text !== undefined && (WAIT_TARGETS as readonly string[]).includes(text)) return text as WaitTarget;
  throw new LifelineError('usage', `--until takes ${WAIT_TARGETS.join(', ')}${text === undefined ? '' : `, got ${JSON.stringify(text)}`}`);
}

/**
 * Quiet on success, for scripts (`lifeline wait alice --until waiting && notify-send …`): exit 0 once
 * each instance got there, 1 (one line) on timeout or when one stopped first, 2 for a name or state
 * that cannot be waited for.
 */
export default defineCommand({
  meta: { name: 'wait', description: 'Wait until agents are idle or waiting for the user, or instances stopped (exit 0; 1 on timeout or an end first; 2 for what cannot be waited for)' },
  args: {
    until: { type: 'string', description: `${WAIT_TARGETS.join(' | ')}`, valueHint: 'state' },
    timeout: { type: 'string', description: 'give up (exit 1) after this many seconds (default: no limit)', valueHint: 's' },
    ...dbArg,
  },
  async run({ args }) {
    const names = args._.map(checkName);
    if (names.length === 0) throw new LifelineError('usage', 'name the instances to wait for');
    const until = parseTarget(args.until);
    const timeoutMs = args.timeout === undefined ? null : parseSeconds(args.timeout, 0, '--timeout') * 1000;
    const nothingRecorded = (): never => {
      throw new LifelineError('usage', unknownNameError(names[0]!, []).message);
    };
    await withStore(args, 'read', ({ ctx }) => waitUntil(ctx, { names, until, timeoutMs }), nothingRecorded);
  },
});
