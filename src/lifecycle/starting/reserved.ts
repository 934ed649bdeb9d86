import { LifelineError } from '../../errors.js';
import type { LifelineContext } from '../context.js';
import { runReserved, type ForegroundResult } from './foreground.js';
import { handOffIfAsked } from './handoff.js';
import type { LaunchSpec } from './launch.js';

function parseArray(text: string | null): string[] | null {
  if (text === null) return null;
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value.map(String) : null;
}

/**
 * The foreground launcher of a life that another lifeline command reserved (`--tmux`): everything —
 * command, folder, bindings, marker — is read from the `launching` row it wrote, so the launcher's
 * own command line carries none of it. `createdAtMs` names the life, so a newer one is never taken.
 */
export async function runReservedLife(
  ctx: LifelineContext,
  name: string,
  createdAtMs: number,
  resumedFrom: number | null,
  paths: { db: string; home: string },
): Promise<Omit<ForegroundResult, 'reservation'>> {
  const row = ctx.store.getInstance(name);
  if (row === null || row.created_at !== createdAtMs || row.status !== 'launching' || row.marker === null) {
    throw new LifelineError('launch-failed', `no launch of ${name} is waiting to start`);
  }
  const argv = parseArray(row.argv) ?? [];
  if (argv.length === 0) throw new LifelineError('launch-failed', `the reserved launch of ${name} has no command`);
  const spec: LaunchSpec = {
    name,
    argv,
    cwd: row.cwd,
    tag: row.tag,
    resumeArgv: parseArray(row.resume_argv),
    detached: false,
    bindings: ctx.store.bindingsOf(name).map(({ kind, value }) => ({ kind, value })),
    resumedFrom,
    by: 'user',
  };
  const key = { name, createdAtMs, marker: row.marker };
  // Run by the sh entry in a tmux window: dash waits for the program there too (SPEC §12).
  if (handOffIfAsked(ctx, spec, paths, () => ({ key, ghost: null }), () => undefined, null)) return { pid: 0, exitCode: 0, reason: null };
  return runReserved(ctx, spec, key);
}
