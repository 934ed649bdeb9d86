import type { InstanceRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import { judge } from './verdict.js';

/** What `list` shows for one row: verified now, never taken from the row's own say-so. */
export interface InstanceStatusView {
  readonly row: InstanceRow;
  /** `running`, `launching`, `dead (<reason>)`, `remote`, or `untracked` (registered with no pid). */
  readonly state: string;
  readonly alive: boolean;
  readonly startedAtMs: number | null;
}

/** Read-only: a ghost is shown as dead with its reason, and left for reconcile or `stop` to end. */
export function instanceStatuses(ctx: LifelineContext): InstanceStatusView[] {
  return ctx.store.allInstances().map((row) => {
    const verdict = judge(row, ctx);
    switch (verdict.kind) {
      case 'alive':
        return { row, state: 'running', alive: true, startedAtMs: verdict.process.startedAtMs };
      case 'dead':
        return { row, state: `dead (${verdict.reason})`, alive: false, startedAtMs: null };
      case 'skipped': {
        const state = verdict.why === 'no-pid' ? 'untracked' : verdict.why;
        return { row, state, alive: false, startedAtMs: null };
      }
    }
  });
}
