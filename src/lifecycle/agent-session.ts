import { agentOf } from '../agents/argv.js';
import { isAgentName } from '../agents/known.js';
import type { InstanceRow } from '../store/rows.js';
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
  /** The hook's own process: whether it runs inside the instance tells an agent's hook from a hand-run one. */
  readonly hookPid: number;
}

export type SessionRecord =
  | { readonly kind: 'bound'; readonly name: string }
  | { readonly kind: 'no-instance' }
  | { readonly kind: 'nested'; readonly name: string; readonly why: string };

/**
 * Whether `pid` runs below the instance's own process, whose identity is checked first: where the
 * hook of the agent the instance runs, or of any agent that one starts, runs. A hook run by hand,
 * from outside the instance, is not.
 */
function runsInside(ctx: LifelineContext, row: InstanceRow, pid: number): boolean {
  if (row.pid === null || row.proc_start === null) return false;
  const facts = ctx.probe.inspect(row.pid);
  if (facts.state !== 'running' || facts.startToken !== row.proc_start) return false;
  let current: number | null = pid;
  for (let depth = 0; current !== null && current > 1 && depth < 64; depth++) {
    current = ctx.probe.parentPid(current);
    if (current === row.pid) return true;
  }
  return false;
}

/**
 * An agent's start hook reports its session: the instance whose marker the hook inherited gets
 * that session as its one `session` binding (after `/clear` the agent has a new id). Found by
 * marker, never by name, since a name can be reused.
 *
 * Every process below the instance inherits the marker, so an agent the instance's agent starts
 * itself (`claude -p` in a tool, `codex exec`) runs its hook with the same marker. Its session is
 * not the instance's. So when the instance runs an agent itself and the hook runs inside it, two
 * reports are refused: the hook of another agent, and a fresh start (`startup`) with another id than
 * the session already bound — the instance's own agent starts once, and changes its session only
 * through `clear` or `resume`. An instance that runs anything else (a shell, a wrapper script) keeps
 * the last session reported, as the agent inside may be started again and again; and a hook run by
 * hand from outside the instance is taken as said, like `bind`.
 */
export function recordAgentSession(ctx: LifelineContext, marker: string, report: SessionReport): SessionRecord {
  return ctx.store.writeTransaction((): SessionRecord => {
    const row = ctx.store.instanceByMarker(marker);
    if (row === null) return { kind: 'no-instance' };
    const runs = agentOf(JSON.parse(row.argv) as string[])?.name;
    if (runs !== undefined && runsInside(ctx, row, report.hookPid)) {
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
