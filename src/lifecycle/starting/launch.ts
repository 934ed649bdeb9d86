import type { ChildProcess, StdioOptions } from 'node:child_process';
import { childProcesses } from '../../child-processes.js';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { LifelineError } from '../../errors.js';
import type { InstanceKey } from '../../store/rows.js';
import { type Binding, writeBindings } from '../bindings.js';
import type { LifelineContext } from '../context.js';
import { encodeLifeEvent } from '../life-log.js';
import { refuseResumableName } from '../returning/resumable.js';
import { stopInstance, type StopOutcome } from '../ending/stop.js';
import { judge, type Verdict } from '../ending/verdict.js';
import { DB_ENV, type ExitReason, MARKER_ENV, NAME_ENV, type Reason, type ShutdownReason, type StartedBy } from '../vocabulary.js';


/** Everything needed to start one life of an instance, from `launch` or from a snapshot (`r`). */
export interface LaunchSpec {
  readonly name: string;
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly tag: string | null;
  readonly resumeArgv: readonly string[] | null;
  readonly detached: boolean;
  readonly bindings: readonly Binding[];
  /** The `life.stopped` event this life resumes, for `life.started.resumed_from`. */
  readonly resumedFrom: number | null;
  readonly by: StartedBy;
  /**
   * The database, absolute, when lifeline runs on a chosen one (`--db`, `LIFELINE_DB`): passed to
   * the program as LIFELINE_DB so that its hooks find the same registry (SPEC §6).
   */
  readonly registry?: string | null;
  /** `launch NAME` (without `--new`): refuse a name whose last life ended with a session that `r` could resume. */
  readonly refuseResumable?: boolean;
}

export interface Reservation {
  readonly key: InstanceKey & { readonly marker: string };
  /** The ghost that held the name and was stopped first, if any. */
  readonly ghost: StopOutcome | null;
}

/**
 * Frees a name for a new life, inside the caller's transaction: a verified live holder (or one that
 * cannot be verified: remote, launching, no pid) is refused; a ghost goes through the stop path with
 * its verdict's reason, recorded as the user's doing since the user asked for the name.
 */
export function clearName(ctx: LifelineContext, name: string): StopOutcome | null {
  const holder = ctx.store.getInstance(name);
  if (holder === null) return null;
  const verdict = judge(holder, ctx);
  if (verdict.kind !== 'dead') throw nameTaken(name, verdict);
  return stopInstance(ctx, { name, by: 'user', reason: verdict.reason });
}

/** Why a name cannot be taken: its holder is verified alive, or cannot be verified at all. */
export function nameTaken(name: string, verdict: Exclude<Verdict, { kind: 'dead' }>): LifelineError {
  if (verdict.kind === 'alive') {
    return new LifelineError('name-taken', `${name} is running (pid ${verdict.process.pid}); stop it first or pick another name`);
  }
  const why = { remote: 'belongs to another device', launching: 'is being launched right now', 'no-pid': 'is registered without a process' }[verdict.why];
  return new LifelineError('name-taken', `${name} ${why}; stop it first or pick another name`);
}

/**
 * Makes sure the name is free and claims it: a verified live holder is refused, a ghost is sent
 * through the stop path with its verdict's reason, then the `launching` row and its bindings are
 * written — all in one IMMEDIATE transaction, so two launches of one name cannot both win.
 */
export function reserveName(ctx: LifelineContext, spec: LaunchSpec): Reservation {
  const { store } = ctx;
  return store.writeTransaction(() => {
    if (spec.refuseResumable === true) refuseResumableName(ctx, spec.name);
    const ghost = clearName(ctx, spec.name);
    const createdAtMs = ctx.now();
    const marker = randomUUID();
    store.insertInstance({
      name: spec.name,
      status: 'launching',
      pid: null,
      bootId: ctx.bootId,
      procStart: null,
      marker,
      createdAtMs,
      originDeviceId: ctx.deviceId,
      argv: [...spec.argv],
      cwd: spec.cwd,
      resumeArgv: spec.resumeArgv === null ? null : [...spec.resumeArgv],
      tag: spec.tag,
      detached: spec.detached,
    });
    writeBindings(store, spec.name, spec.bindings, createdAtMs);
    return { key: { name: spec.name, createdAtMs, marker }, ghost };
  });
}

/**
 * The program's environment: the caller's, plus the marker and the name, nothing else recorded;
 * and the registry's absolute path when lifeline runs on a chosen database.
 */
export function programEnv(key: Reservation['key'], base: NodeJS.ProcessEnv = process.env, registry: string | null = null): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, [MARKER_ENV]: key.marker, [NAME_ENV]: key.name };
  if (registry !== null) env[DB_ENV] = registry;
  return env;
}

/**
 * Starts the program and resolves once the kernel has it (or rejects with the spawn error). A
 * `detached` program gets its own session, so it leads a process group that `stop` can end whole.
 */
export function spawnProgram(
  spec: LaunchSpec,
  key: Reservation['key'],
  stdio: StdioOptions,
): Promise<ChildProcess> {
  const [command, ...args] = spec.argv;
  return new Promise((resolve, reject) => {
    const child = childProcesses().spawn(command!, args, { cwd: spec.cwd, env: programEnv(key, process.env, spec.registry ?? null), stdio, detached: spec.detached });
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

/**
 * Records the started process: pid, boot and exact start token, `active`, and `life.started`.
 * Returns false when this life of the name was stopped while launching (the caller then ends the
 * child it holds, which is certainly its own).
 */
export function recordStart(ctx: LifelineContext, spec: LaunchSpec, key: Reservation['key'], pid: number): boolean {
  const facts = ctx.probe.inspect(pid);
  const procStart = facts.state === 'gone' ? null : facts.startToken;
  return ctx.store.writeTransaction(() => {
    if (!ctx.store.markActive(key, { pid, bootId: ctx.bootId, procStart })) return false;
    ctx.store.insertEvent(
      key.name,
      'life.started',
      ctx.now(),
      encodeLifeEvent('life.started', { by: spec.by, pid, marker: key.marker, resumed_from: spec.resumedFrom }),
    );
    return true;
  });
}

/** A program that could not start ends through the stop path too, so its row never lingers. */
export function recordLaunchFailure(ctx: LifelineContext, key: Reservation['key']): void {
  stopInstance(ctx, { name: key.name, expect: key, by: 'self', reason: 'exit:launch-failed' });
}

/**
 * The launcher saw its program exit: its code or signal, or `exit:shutdown` when the launcher went
 * down with it (shutdown-watch.ts). If `lifeline stop` got there first, its reason stands.
 */
export function recordExit(ctx: LifelineContext, key: Reservation['key'], reason: ExitReason | ShutdownReason): Reason | null {
  const outcome = stopInstance(ctx, { name: key.name, expect: key, by: 'self', reason });
  return outcome.stopped ? outcome.reason : null;
}

/** Linux refuses one string over 32 pages (MAX_ARG_STRLEN), and all of them over ARG_MAX (2 MiB by default). */
const MAX_ARG_STRLEN = 32 * 4096;
const ARG_MAX = 2 * 1024 * 1024;

function tooLongForExec(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  let total = 0;
  const strings = [...argv, ...Object.entries(env).map(([name, value]) => `${name}=${value ?? ''}`)];
  for (const text of strings) {
    const bytes = Buffer.byteLength(text) + 1;
    if (bytes > MAX_ARG_STRLEN) return true;
    total += bytes + 8;
  }
  return total > ARG_MAX;
}

/**
 * What exec would say about the command before a waiter runs it, the way execvp looks it up (PATH
 * from the program's environment): a missing or non-executable command is then refused by
 * lifeline in one line, as when Node starts it, instead of by `env` from inside the waiter.
 */
export function commandProblem(spec: LaunchSpec, env: NodeJS.ProcessEnv = process.env): NodeJS.ErrnoException | null {
  const command = spec.argv[0]!;
  if (tooLongForExec(spec.argv, env)) return Object.assign(new Error('argument list too long'), { code: 'E2BIG' });
  const candidates = command.includes('/')
    ? [resolvePath(spec.cwd, command)]
    : (env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin').split(':').map((folder) => join(resolvePath(spec.cwd, folder || '.'), command));
  let denied = false;
  for (const candidate of candidates) {
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  return Object.assign(new Error(denied ? 'permission denied' : 'not found'), { code: denied ? 'EACCES' : 'ENOENT' });
}

export function spawnFailureMessage(command: string, error: unknown): LifelineError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'command not found'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'E2BIG'
          ? 'its arguments and environment are too long for exec (E2BIG)'
          : (error as Error).message;
  return new LifelineError('launch-failed', `cannot start ${command}: ${why}`);
}
