import { agentOf } from '../../agents/argv.js';
import type { AgentKnowledge } from '../../agents/known.js';
import type { InstanceRow } from '../../store/rows.js';
import type { LifelineContext } from '../context.js';
import { writeBindings } from '../bindings.js';
import { startTurn } from '../turns/turn.js';

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

/** How long after the instance's start its agent's relay child may start (it starts at once, with the agent). */
const RELAY_START_MS = 5_000;

/** A shell that only runs a hook command (`sh -c '… hook claude'`): the agent's way to run its hooks, not a program of its own. */
function isHookShell(argv: readonly string[]): boolean {
  const command = argv[0]?.split('/').pop() ?? '';
  return /^(sh|dash|bash|zsh|ksh|mksh|busybox)$/.test(command) && /(^|\s)hook\s+[a-z]+(\s|'|$)/.test(argv.slice(1).join(' '));
}

/**
 * Whether the hook `hookPid` was run by the instance's own agent: the first process above the hook
 * that is not a hook shell is the agent that fired it, and that must be the instance's verified
 * process itself — or, for an agent that runs its session in a child (codex, gemini), that child,
 * started with it. An agent started inside the instance (a `claude -p` from a tool, a `codex exec`,
 * in the foreground or left running in the background) fires its hook from its own process, further
 * down or orphaned; a hook run by hand fires from the user's shell. Neither is the instance's agent.
 */
function firedByOwnAgent(ctx: LifelineContext, row: InstanceRow, hookPid: number, runsInChild: boolean): boolean {
  if (row.pid === null || row.proc_start === null) return false;
  const own = ctx.probe.inspect(row.pid);
  if (own.state !== 'running' || own.startToken !== row.proc_start) return false;
  let agent: number | null = ctx.probe.parentPid(hookPid);
  for (let depth = 0; agent !== null && agent > 1 && depth < 8; depth++) {
    const described = ctx.probe.describe(agent);
    if (described === null || !isHookShell(described.argv)) break;
    agent = ctx.probe.parentPid(agent);
  }
  if (agent === null || agent <= 1) return false;
  if (agent === row.pid) return true;
  if (!runsInChild || ctx.probe.parentPid(agent) !== row.pid) return false;
  const child = ctx.probe.inspect(agent);
  return child.state === 'running' && child.startedAtMs - own.startedAtMs <= RELAY_START_MS;
}

/** Sources after which an agent's own session continues under another id: `/clear`, and `/resume` of another conversation. */
const NEW_ID_SOURCES: ReadonlySet<string> = new Set(['clear', 'resume']);

/**
 * Why a report must not move the instance's session, or null when it may. Applies when the instance
 * runs an agent itself: every process below it inherits the marker, so an agent it starts (`claude -p`
 * in a tool, `codex exec`) runs its hook with the same marker, and its session is not the instance's.
 * Decided by what can be known whatever the nested agent's parent, timing or `source`:
 * - another agent's hook is never the instance's;
 * - the session already bound, reported again, changes nothing; the first session of an instance
 *   that has none (codex learns it at the first prompt, before any tool can start a nested agent) is taken;
 * - another id is taken only after `/clear` or `/resume`, and only from the hook the instance's own
 *   agent fired (see firedByOwnAgent). A hook run by hand is refused too: `lifeline bind` says it.
 */
function refusal(ctx: LifelineContext, row: InstanceRow, runs: AgentKnowledge, report: SessionReport): string | null {
  if (report.agent !== runs.name) return `a ${report.agent} started inside ${row.name}, which runs ${runs.name}`;
  const bound = ctx.store.bindingsOf(row.name).find((binding) => binding.kind === 'session')?.value;
  if (bound === undefined || bound === report.sessionId) return null;
  const source = (report.source ?? '').toLowerCase();
  if (!NEW_ID_SOURCES.has(source)) {
    return `a new ${report.agent} session (${report.source ?? 'no source'}) reported for ${row.name}, whose session is ${bound}`;
  }
  if (!firedByOwnAgent(ctx, row, report.hookPid, runs.runsInChild)) {
    return `session ${report.sessionId} (${source}) was not reported by ${row.name}'s own ${runs.name}, whose session is ${bound}`;
  }
  return null;
}

/**
 * An agent's start hook reports its session: the instance whose marker the hook inherited gets
 * that session as its one `session` binding (after `/clear` the agent has a new id). Found by
 * marker, never by name, since a name can be reused. An instance that runs anything else than an
 * agent (a shell, a wrapper script) keeps the last session reported, as the agent inside may be
 * started again and again.
 */
export function recordAgentSession(ctx: LifelineContext, marker: string, report: SessionReport): SessionRecord {
  return ctx.store.writeTransaction((): SessionRecord => {
    const row = ctx.store.instanceByMarker(marker);
    if (row === null) return { kind: 'no-instance' };
    const runs = agentOf(JSON.parse(row.argv) as string[]);
    const why = runs === null ? null : refusal(ctx, row, runs, report);
    if (why !== null) return { kind: 'nested', name: row.name, why };
    writeBindings(ctx.store, row.name, [{ kind: 'session', value: report.sessionId }], ctx.now());
    if (runs !== null) startTurn(ctx.store, row, report.source, ctx.now());
    return { kind: 'bound', name: row.name };
  });
}
