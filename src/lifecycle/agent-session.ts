import type { LifelineContext } from './context.js';
import { writeBindings } from './bindings.js';

/** A session id as agents give them (UUIDs); anything else is refused rather than stored. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isPlausibleSessionId(text: unknown): text is string {
  return typeof text === 'string' && SESSION_ID.test(text);
}

/**
 * An agent's start hook reports its session: the instance whose marker the hook inherited gets
 * that session as its one `session` binding (after `/clear` the agent has a new id). Found by
 * marker, never by name, since a name can be reused. Returns the instance's name, or null when no
 * instance carries that marker (the agent was not launched by this registry, or has ended).
 */
export function recordAgentSession(ctx: LifelineContext, marker: string, sessionId: string): string | null {
  return ctx.store.writeTransaction(() => {
    const row = ctx.store.instanceByMarker(marker);
    if (row === null) return null;
    writeBindings(ctx.store, row.name, [{ kind: 'session', value: sessionId }], ctx.now());
    return row.name;
  });
}
