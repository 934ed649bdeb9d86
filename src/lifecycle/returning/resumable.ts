import { chooseAgentStart } from '../../agents/resume-choice.js';
import { LifelineError } from '../../errors.js';
import type { LifelineContext } from '../context.js';
import { decodeLifeEvent, type LifeStopped } from '../life-log.js';
import { judge } from '../ending/verdict.js';

/** Written by `forget`: a snapshot older than it is no longer offered for resuming. */
const FORGOTTEN = 'life.forgotten';

function newestSession(bindings: readonly { kind: string; value: string }[]): string | null {
  return bindings.filter((binding) => binding.kind === 'session').at(-1)?.value ?? null;
}

interface EndedLife {
  readonly session: string;
  readonly reason: string;
  readonly argv: readonly string[];
  readonly template: readonly string[] | null;
}

function stringArray(value: unknown): string[] | null {
  if (typeof value === 'string') {
    try {
      return stringArray(JSON.parse(value));
    } catch {
      return null;
    }
  }
  return Array.isArray(value) && value.every((word) => typeof word === 'string') ? (value as string[]) : null;
}

/** What `r NAME` would resume from the newest snapshot of a stopped name, if it has a session. */
function snapshotSession(ctx: LifelineContext, name: string): EndedLife | null {
  const stopped = ctx.store.latestEvent(name, 'life.stopped');
  if (stopped === null) return null;
  const forgotten = ctx.store.latestEvent(name, FORGOTTEN);
  if (forgotten !== null && forgotten.id > stopped.id) return null;
  try {
    const data: Partial<LifeStopped> = decodeLifeEvent('life.stopped', stopped);
    const bindings = Array.isArray(data.snapshot?.bindings) ? data.snapshot.bindings : [];
    const session = newestSession(bindings.filter((b) => typeof b?.kind === 'string' && typeof b?.value === 'string'));
    if (session === null) return null;
    const snapshot = data.snapshot as Record<string, unknown> | undefined;
    return {
      session,
      reason: typeof data.reason === 'string' ? data.reason : 'stopped',
      argv: stringArray(snapshot?.['argv']) ?? [],
      template: stringArray(snapshot?.['resume_argv']),
    };
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
  let found: EndedLife | null;
  if (holder !== null) {
    const verdict = judge(holder, ctx);
    if (verdict.kind !== 'dead') return;
    const session = newestSession(ctx.store.bindingsOf(name));
    found = session === null ? null : { session, reason: verdict.reason, argv: stringArray(holder.argv) ?? [], template: stringArray(holder.resume_argv) };
  } else {
    found = snapshotSession(ctx, name);
  }
  if (found === null) return;
  // Only what `r` would really resume is protected: an agent that has no transcript of the session
  // (it ended before anything was typed, e.g. a first start that failed) would start fresh anyway.
  const choice = chooseAgentStart({ argv: found.argv, template: found.template, session: found.session, sessionGiven: false });
  if (choice?.mode === 'fresh') return;
  // forget drops a stopped snapshot; a ghost row is not stopped yet, so there it would not help.
  const forget = holder === null ? ` (lifeline forget ${name} drops the old one)` : '';
  throw new LifelineError(
    'name-taken',
    `${name} ended (${found.reason}) with session ${found.session}: resume it with lifeline r ${name}, or pass --new to start a fresh ${name}${forget}`,
  );
}
