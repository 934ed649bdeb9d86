import { LifelineError } from '../errors.js';
import type { LifelineContext } from './context.js';
import { judge } from './verdict.js';

/** Written by `forget`: a snapshot older than it is no longer offered for resuming. */
const FORGOTTEN = 'life.forgotten';

function newestSession(bindings: readonly { kind: string; value: string }[]): string | null {
  return bindings.filter((binding) => binding.kind === 'session').at(-1)?.value ?? null;
}

/** The session `r NAME` would resume from the newest snapshot of a stopped name, if any. */
function snapshotSession(ctx: LifelineContext, name: string): { session: string; reason: string } | null {
  const stopped = ctx.store.latestEvent(name, 'life.stopped');
  if (stopped === null) return null;
  const forgotten = ctx.store.latestEvent(name, FORGOTTEN);
  if (forgotten !== null && forgotten.id > stopped.id) return null;
  try {
    const data = JSON.parse(stopped.data) as { reason?: unknown; snapshot?: { bindings?: unknown } };
    const bindings = Array.isArray(data.snapshot?.bindings) ? (data.snapshot.bindings as { kind: string; value: string }[]) : [];
    const session = newestSession(bindings.filter((b) => typeof b?.kind === 'string' && typeof b?.value === 'string'));
    return session === null ? null : { session, reason: typeof data.reason === 'string' ? data.reason : 'stopped' };
  } catch {
    return null;
  }
}

/**
 * `launch NAME` must not silently bury a conversation: when the name's last life — a stopped
 * snapshot, or a ghost row not yet reconciled — ended with a `session` binding, launching over it
 * would replace the snapshot `r NAME` resumes. Refused before anything is written; `--new` (the
 * caller not asking) or `forget` lifts it. A live holder is left to the usual name check.
 */
export function refuseResumableName(ctx: LifelineContext, name: string): void {
  const holder = ctx.store.getInstance(name);
  let found: { session: string; reason: string } | null;
  if (holder !== null) {
    const verdict = judge(holder, ctx);
    if (verdict.verdict !== 'dead') return;
    const session = newestSession(ctx.store.bindingsOf(name));
    found = session === null ? null : { session, reason: verdict.reason };
  } else {
    found = snapshotSession(ctx, name);
  }
  if (found === null) return;
  // forget drops a stopped snapshot; a ghost row is not stopped yet, so there it would not help.
  const forget = holder === null ? ` (lifeline forget ${name} drops the old one)` : '';
  throw new LifelineError(
    'name-taken',
    `${name} ended (${found.reason}) with session ${found.session}: resume it with lifeline r ${name}, or pass --new to start a fresh ${name}${forget}`,
  );
}
