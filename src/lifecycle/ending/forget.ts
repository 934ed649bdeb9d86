import { LifelineError } from '../../errors.js';
import { eventAfter } from '../../store/history.js';
import type { LifelineContext } from '../context.js';
import { encodeLifeEvent } from '../life-log.js';
import { unknownNameError } from '../names.js';
import { judge } from './verdict.js';

export interface ForgetOutcome {
  readonly name: string;
  readonly action: 'forgotten' | 'already-forgotten';
  /** The `life.forgotten` event written, or null. */
  readonly eventId: number | null;
}

/**
 * Hides stopped instances from `list --all` and `r --all` by writing a `life.forgotten` event that
 * points at the stop it hides; nothing is deleted, the life log stays append-only. A later stop of a
 * new life of the name is newer than the event, so the name shows again. A name that has a row now
 * is refused, and every refusal comes before the first write.
 */
export function forget(ctx: LifelineContext, names: readonly string[] | 'all-stopped'): ForgetOutcome[] {
  const { store } = ctx;
  return store.writeTransaction(() => {
    const targets = names === 'all-stopped' ? store.resumableSnapshots().map((event) => event.instance).reverse() : [...new Set(names)];
    const stops = targets.map((name) => {
      const row = store.getInstance(name);
      if (row !== null) {
        const verdict = judge(row, ctx);
        const what = verdict.kind === 'alive' ? `is running (pid ${verdict.process.pid})` : verdict.kind === 'dead' ? `has a row not yet reconciled (${verdict.reason})` : `is live (${verdict.why})`;
        throw new LifelineError('name-taken', `${name} ${what}; only a stopped instance can be forgotten (lifeline stop ${name} first)`);
      }
      const stop = store.latestEvent(name, 'life.stopped');
      if (stop === null) throw unknownNameError(name, store.knownNames(), 'stopped instance');
      return stop;
    });
    return stops.map((stop): ForgetOutcome => {
      if (eventAfter(store, stop.instance, 'life.forgotten', stop.id) !== null) return { name: stop.instance, action: 'already-forgotten', eventId: null };
      const eventId = store.insertEvent(stop.instance, 'life.forgotten', ctx.now(), encodeLifeEvent('life.forgotten', { by: 'user', stopped: stop.id }));
      return { name: stop.instance, action: 'forgotten', eventId };
    });
  });
}
