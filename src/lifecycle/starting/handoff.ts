import { closeSync, fstatSync, rmSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { waiterHelperScript } from '../../self.js';
import { ensurePrivateFolder, openPrivateFile } from '../../store/files.js';
import type { LifelineContext } from '../context.js';
import { commandProblem, type LaunchSpec, programEnv, recordLaunchFailure, type Reservation, spawnFailureMessage } from './launch.js';
import { exitFileOf, recordedFileOf, runFolderOf } from './pending-exits.js';
import { renderWaiterPlan } from './waiter-plan.js';
import { waiting } from './waiting.js';

/**
 * Set by the sh entry (bin/lifeline) on the Node it asks to prepare a foreground launch: the fd
 * on which it reads the plan. Taken out of the environment at once, so no program inherits it.
 */
export const PLAN_FD_ENV = 'LIFELINE_PLAN_FD';
const PLAN_FD = 3;

let claimed: number | null | undefined;

/** The plan channel of the sh entry, or null when Node was started some other way. */
export function claimShellHandoff(env: NodeJS.ProcessEnv = process.env): number | null {
  if (claimed !== undefined) return claimed;
  const asked = env[PLAN_FD_ENV];
  delete env[PLAN_FD_ENV];
  claimed = null;
  if (asked === String(PLAN_FD)) {
    try {
      if (fstatSync(PLAN_FD).isFIFO()) claimed = PLAN_FD; // The entry's command substitution.
    } catch {
      // Not open: run the launch here.
    }
  }
  return claimed;
}

/** The entries of the program's environment that the waiter's own lacks: the marker, the name, LIFELINE_DB. */
function extraEnv(key: Reservation['key'], registry: string | null): Record<string, string> {
  const extra: Record<string, string> = {};
  for (const [name, value] of Object.entries(programEnv(key, process.env, registry))) {
    if (value !== undefined && process.env[name] !== value) extra[name] = value;
  }
  return extra;
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset);
}

export interface HandOff {
  readonly reservation: Reservation;
}

/**
 * A foreground launch for the sh entry: reserve the row, check that the command can run, and
 * write the plan the waiter evaluates. Returns null when this machine cannot wait in dash (or the
 * command is one `env` would misread), and the caller then runs the program itself with a Node
 * parent. `reserve` claims the row (reserveName, or a row another process reserved for this
 * launch). `json` is the `r --json` report in three pieces around the pid and the exit code.
 */
export function handOffForeground(
  ctx: LifelineContext,
  spec: LaunchSpec,
  fd: number,
  paths: { db: string; home: string },
  reserve: () => Reservation,
  onReserved: (reservation: Reservation) => void,
  json: readonly [string, string, string] | null,
): HandOff | null {
  if (waiting(process.env, true).kind !== 'sh' || spec.argv[0]!.includes('=')) return null;
  const reservation = reserve();
  onReserved(reservation);
  const { key } = reservation;
  const problem = commandProblem(spec);
  if (problem !== null) {
    recordLaunchFailure(ctx, key);
    throw spawnFailureMessage(spec.argv[0]!, problem);
  }
  const run = runFolderOf(paths.home);
  const statusFile = join(run, `${randomUUID()}.status`);
  try {
    ensurePrivateFolder(run);
    closeSync(openPrivateFile(statusFile, 'wx'));
    writeAll(
      fd,
      renderWaiterPlan({
        mode: 'foreground',
        node: process.execPath,
        helper: waiterHelperScript,
        key: {
          db: paths.db,
          name: key.name,
          created_at: key.createdAtMs,
          marker: key.marker,
          detached: false,
          report: false,
          by: spec.by,
          resumed_from: spec.resumedFrom,
          status_file: statusFile,
          exit_file: exitFileOf(run, key.marker),
          recorded_file: recordedFileOf(run, key.marker),
        },
        cwd: spec.cwd,
        env: extraEnv(key, spec.registry ?? null),
        signalsToDefault: null,
        json,
        argv: spec.argv,
      }),
    );
  } catch (error) {
    rmSync(statusFile, { force: true });
    recordLaunchFailure(ctx, key);
    throw error;
  }
  return { reservation };
}

const PID_SLOT = -7_300_001;
const CODE_SLOT = -7_300_002;

/**
 * A JSON report cut around the pid and the exit code, for the waiter to print once it knows them.
 * `pid` comes before any user text and `exit_code` is the last key, so the first and the last
 * match are the slots.
 */
export function jsonPieces(report: (pid: number, exitCode: number) => object): [string, string, string] {
  const text = JSON.stringify(report(PID_SLOT, CODE_SLOT), null, 2);
  const pid = text.indexOf(String(PID_SLOT));
  const code = text.lastIndexOf(String(CODE_SLOT));
  return [text.slice(0, pid), text.slice(pid + String(PID_SLOT).length, code), text.slice(code + String(CODE_SLOT).length)];
}

/**
 * A foreground launch, handed to the sh entry when Node was started by it and dash can wait here:
 * true when the entry now runs the program (it prints `report`, if any, once the program ended).
 */
export function handOffIfAsked(
  ctx: LifelineContext,
  spec: LaunchSpec,
  paths: { db: string; home: string },
  reserve: () => Reservation,
  onReserved: (reservation: Reservation) => void,
  report: ((pid: number, exitCode: number) => object) | null,
): boolean {
  const fd = claimShellHandoff();
  return fd !== null && handOffForeground(ctx, spec, fd, paths, reserve, onReserved, report === null ? null : jsonPieces(report)) !== null;
}
