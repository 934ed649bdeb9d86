import { agentOf } from '../agents/argv.js';
import { isAgentName } from '../agents/known.js';
import type { LifelineContext } from './context.js';
import { writeBindings } from './bindings.js';

/** A session id as agents give them (UUIDs); anything else is refused rather than stored. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isPlausibleSessionId(text: unknown): text is string {
  return typeof text === 'string' && SESSION_ID.test(text);
}

/** What one SessionStart hook reports: which agent's hook ran, its session, and why it started. */
export interface SessionReport {
  /** The word after `lifeline hook`, as the installed hook names its agent. */
  readonly agent: string;
  readonly sessionId: string;
  /** `startup`, `resume`, `clear`, `compact`, or undefined when the agent did not say. */
  readonly source: string | undefined;
}

export type SessionRecord =
  | { readonly kind: 'bound'; readonly name: string }
  | { readonly kind: 'no-instance' }
  | { readonly kind: 'nested'; readonly name: string; readonly why: string };

/**
 * An agent's start hook reports its session: the instance whose marker the hook inherited gets
 * that session as its one `session` binding (after `/clear` the agent has a new id). Found by
 * marker, never by name, since a name can be reused.
 *
 * Every process below the instance inherits the marker, so an agent the instance's agent starts
 * itself (`claude -p` in a tool, `codex exec`) runs its hook with the same marker. Its session is
 * not the instance's, and is refused when it shows: for an instance that runs an agent itself,
 * the hook of another agent, or a fresh start (`startup`) with another id than the session already
 * bound — the instance's own agent starts once, and changes its session only through `clear` or
 * `resume`. An instance that runs anything else (a shell, a wrapper script) keeps the last session
 * reported, as the agent inside may be started again and again.
 */
export function recordAgentSession(ctx: LifelineContext, marker: string, report: SessionReport): SessionRecord {
  return ctx.store.writeTransaction((): SessionRecord => {
    const row = ctx.store.instanceByMarker(marker);
    if (row === null) return { kind: 'no-instance' };
    const runs = agentOf(JSON.parse(row.argv) as string[])?.name;
    if (runs !== undefined) {
      if (isAgentName(report.agent) && report.agent !== runs) {
        return { kind: 'nested', name: row.name, why: `a ${report.agent} started inside ${row.name}, which runs ${runs}` };
      }
      const bound = ctx.store.bindingsOf(row.name).find((binding) => binding.kind === 'session')?.value;
      if (report.source === 'startup' && bound !== undefined && bound !== report.sessionId) {
        return { kind: 'nested', name: row.name, why: `a new ${report.agent} session started inside ${row.name}, whose session is ${bound}` };
      }
    }
    writeBindings(ctx.store, row.name, [{ kind: 'session', value: report.sessionId }], ctx.now());
    return { kind: 'bound', name: row.name };
  });
}
