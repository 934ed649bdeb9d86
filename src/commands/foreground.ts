import { claimShellHandoff, handOffForeground } from '../lifecycle/handoff.js';
import { runForeground } from '../lifecycle/foreground.js';
import { type LaunchSpec, type Reservation, reserveName } from '../lifecycle/launch.js';
import type { LifelineContext } from '../lifecycle/context.js';
import { printJson } from '../output.js';
import type { StatePaths } from '../store/paths.js';

const PID_SLOT = -7_300_001;
const CODE_SLOT = -7_300_002;

/**
 * The JSON report cut around the pid and the exit code, for the waiter to print once it knows
 * them. `pid` is the second key (after a name, which holds no digits-and-minus run like the
 * slot) and `exit_code` the last, so the first and the last match are the slots.
 */
function jsonPieces(report: (pid: number, exitCode: number) => object): [string, string, string] {
  const text = JSON.stringify(report(PID_SLOT, CODE_SLOT), null, 2);
  const pid = text.indexOf(String(PID_SLOT));
  const code = text.lastIndexOf(String(CODE_SLOT));
  return [text.slice(0, pid), text.slice(pid + String(PID_SLOT).length, code), text.slice(code + String(CODE_SLOT).length)];
}

/**
 * A foreground launch or resume. Started from the sh entry, Node only prepares and the entry waits
 * for the program in dash (lifecycle/handoff.ts); otherwise, or where dash cannot wait, Node is
 * the program's parent as before. Returns lifeline's exit code (0 once handed off: the entry then
 * exits with the program's).
 */
export async function runInForeground(
  ctx: LifelineContext,
  spec: LaunchSpec,
  paths: StatePaths,
  onReserved: (reservation: Reservation) => void,
  report: ((pid: number, exitCode: number) => object) | null,
): Promise<number> {
  const fd = claimShellHandoff();
  if (fd !== null && handOffForeground(ctx, spec, fd, paths, () => reserveName(ctx, spec), onReserved, report === null ? null : jsonPieces(report)) !== null) return 0;
  const result = await runForeground(ctx, spec, onReserved);
  if (report !== null) printJson(report(result.pid, result.exitCode));
  return result.exitCode;
}
