import { statSync } from 'node:fs';
import { type AgentStart, chooseAgentStart } from '../../agents/resume-choice.js';
import { LifelineError } from '../../errors.js';
import type { EventRow, InstanceRow } from '../../store/rows.js';
import { overrideBindings } from '../bindings.js';
import type { LifelineContext } from '../context.js';
import type { Binding } from '../bindings.js';
import type { LaunchSpec } from '../starting/launch.js';
import { clearName, nameTaken } from '../starting/launch.js';
import { decodeLifeEvent, type Snapshot } from '../life-log.js';
import { unknownNameError } from '../names.js';
import { snapshotToResume } from './settle.js';
import { fillTemplate } from './template.js';
import { judge } from '../ending/verdict.js';

/** The part of a `life.stopped` snapshot that resuming needs. */
interface SnapshotView {
  readonly argv: string[];
  readonly cwd: string;
  readonly resumeArgv: string[] | null;
  readonly tag: string | null;
  readonly bindings: Binding[];
}

export interface ResumePlan {
  readonly name: string;
  readonly argv: string[];
  readonly cwd: string;
  /** The `life.stopped` event resumed from; null in a dry run over a ghost not yet stopped. */
  readonly resumedFrom: number | null;
  readonly spec: LaunchSpec;
  /** For an agent whose resume needs a session: resume it, or start fresh (and why). Null otherwise. */
  readonly agentStart?: AgentStart | null;
}

export interface ResumeOptions {
  readonly cwd: string | null;
  readonly detached: boolean;
  /** `r NAME --bind KIND=VALUE`: each kind given replaces the recorded values of that kind for this resume. */
  readonly bind?: readonly Binding[];
  /** The database to pass on as LIFELINE_DB (see LaunchSpec.registry). */
  readonly registry?: string | null;
}

function stringArray(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

function parseJsonArray(text: string | null): string[] | null {
  if (text === null) return null;
  try {
    return stringArray(JSON.parse(text));
  } catch {
    return null;
  }
}

function viewOfSnapshot(name: string, event: EventRow): SnapshotView {
  const snapshot: Partial<Snapshot> = decodeLifeEvent('life.stopped', event).snapshot ?? {};
  const argv = stringArray(snapshot['argv']);
  if (argv === null || argv.length === 0) throw new LifelineError('launch-failed', `the snapshot of ${name} has no command to resume`);
  const bindings = Array.isArray(snapshot['bindings']) ? (snapshot['bindings'] as Binding[]) : [];
  return {
    argv,
    cwd: typeof snapshot['cwd'] === 'string' ? snapshot['cwd'] : '',
    resumeArgv: stringArray(snapshot['resume_argv']),
    tag: typeof snapshot['tag'] === 'string' ? snapshot['tag'] : null,
    bindings: bindings.filter((b) => typeof b?.kind === 'string' && typeof b?.value === 'string'),
  };
}

function viewOfRow(ctx: LifelineContext, row: InstanceRow): SnapshotView {
  return {
    argv: parseJsonArray(row.argv) ?? [],
    cwd: row.cwd,
    resumeArgv: parseJsonArray(row.resume_argv),
    tag: row.tag,
    bindings: ctx.store.bindingsOf(row.name).map(({ kind, value }) => ({ kind, value })),
  };
}

function checkFolder(name: string, cwd: string, chosen: boolean): void {
  let isFolder = false;
  try {
    isFolder = cwd !== '' && statSync(cwd).isDirectory();
  } catch {
    isFolder = false;
  }
  if (!isFolder && chosen) throw new LifelineError('missing-folder', `--cwd ${cwd}: no such folder`);
  if (!isFolder) {
    const what = cwd === '' ? `the folder of ${name} is unknown` : `the folder ${cwd} of ${name} no longer exists`;
    throw new LifelineError('missing-folder', `${what}; pass --cwd DIR to resume it somewhere else`);
  }
}

function planFrom(name: string, view: SnapshotView, resumedFrom: number | null, options: ResumeOptions): ResumePlan {
  const cwd = options.cwd ?? view.cwd;
  checkFolder(name, cwd, options.cwd !== null);
  const given = options.bind ?? [];
  let bindings = overrideBindings(view.bindings, given);
  // Bindings are in creation order, so for a repeated kind the newest one is set last and wins.
  const values = new Map<string, string>();
  for (const binding of bindings) values.set(binding.kind, binding.value);
  values.set('name', name);
  values.set('cwd', cwd);
  const agentStart = chooseAgentStart({
    argv: view.argv,
    template: view.resumeArgv,
    session: values.get('session'),
    sessionGiven: given.some((binding) => binding.kind === 'session'),
  });
  let argv: string[];
  if (agentStart?.mode === 'fresh') {
    // Nothing to resume: the agent starts afresh in its folder, with a new pre-assigned session where it takes one.
    argv = agentStart.launch.argv;
    const session = agentStart.launch.session;
    bindings = [...bindings.filter((binding) => binding.kind !== 'session'), ...(session === null ? [] : [{ kind: 'session', value: session }])];
  } else {
    argv = view.resumeArgv !== null ? fillTemplate(view.resumeArgv, values) : view.argv;
  }
  if (argv.length === 0 || argv[0] === '') throw new LifelineError('launch-failed', `the resume command of ${name} is empty`);
  return {
    name,
    argv,
    cwd,
    resumedFrom,
    agentStart,
    spec: {
      name,
      argv,
      cwd,
      tag: view.tag,
      resumeArgv: view.resumeArgv,
      detached: options.detached,
      bindings,
      resumedFrom,
      by: 'user',
      registry: options.registry ?? null,
    },
  };
}

/**
 * Makes `name` ready to be brought back and says how: from its newest `life.stopped` snapshot (one a
 * failed resume left is passed over: settle.ts). This
 * writes: a ghost still holding the name goes through the stop path first (its snapshot is then the
 * newest); a verified live holder is refused. With `dryRun`, nothing is written: a ghost's plan comes
 * from its row as it is. Every refusal comes before the first write.
 */
export function prepareResume(ctx: LifelineContext, name: string, options: ResumeOptions & { dryRun: boolean }): ResumePlan {
  const holder = ctx.store.getInstance(name);
  if (holder !== null) {
    const verdict = judge(holder, ctx);
    if (verdict.kind === 'alive') {
      throw new LifelineError('name-taken', `${name} is already running (pid ${verdict.process.pid}); there is nothing to resume`);
    }
    if (verdict.kind !== 'dead') throw nameTaken(name, verdict);
    // Planned from the row as it is first: a missing folder or binding fails before anything is written.
    const plan = planFrom(name, viewOfRow(ctx, holder), null, options);
    if (options.dryRun) return plan;
    ctx.store.writeTransaction(() => clearName(ctx, name));
  }
  const event = snapshotToResume(ctx, name);
  if (event === null) throw unknownNameError(name, ctx.store.knownNames(), 'stopped instance');
  return planFrom(name, viewOfSnapshot(name, event), event.id, options);
}

/**
 * What `r NAME` would run, also while the instance lives (for `show`): planned from its row when it
 * has one, else from its newest snapshot, the way `prepareResume` plans it. Writes nothing.
 */
export function previewResume(ctx: LifelineContext, name: string, options: ResumeOptions): ResumePlan {
  const holder = ctx.store.getInstance(name);
  if (holder === null) return prepareResume(ctx, name, { ...options, dryRun: true });
  return planFrom(name, viewOfRow(ctx, holder), null, options);
}
