import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { stopAndSignal } from '../lifecycle/ending/stop.js';
import { isLocal } from '../lifecycle/ending/verdict.js';
import { printJson, printLine, visible } from '../output.js';
import { dbArg, jsonArg, parseSeconds, withStore } from './shared.js';

const DEFAULT_TIMEOUT_S = 10;
const INTERRUPTIONS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const carryOn = (): void => undefined;

interface StopReport {
  name: string;
  pid: number | null;
  action: 'stopped' | 'already-stopped';
  reason: string | null;
  signal: string | null;
}

const NOTHING_TO_STOP = 'nothing to stop: no instance is running';

/** With several names, one unknown one stops none of them: say so. */
function noneStopped(error: LifelineError, names: readonly string[]): LifelineError {
  return new Set(names).size > 1 ? new LifelineError(error.code, `nothing was stopped: ${error.message}`) : error;
}

/** One line per instance, in words: what was recorded, and what happened to the process. */
function describeStop(report: StopReport, graceMs: number): string {
  const { name, pid } = report;
  if (report.action === 'already-stopped') return `${name}: already stopped (by another lifeline just now)`;
  switch (report.signal) {
    case 'terminated':
      return `${name}: stopped; pid ${pid} ended on SIGTERM`;
    case 'killed':
      return `${name}: stopped; pid ${pid} did not end within ${graceMs / 1000} s of SIGTERM and was killed (SIGKILL)`;
    case 'already-gone':
      return `${name}: stopped; pid ${pid} had already ended`;
    case 'still-running':
      return `${name}: recorded as stopped, but pid ${pid} is still there after SIGKILL (stuck in the kernel?)`;
    default:
      // Nothing signalled: a ghost keeps its verdict's reason; a row with no process of its own has nothing to signal.
      return report.reason === 'stopped' ? `${name}: stopped; it had no process here to signal` : `${name}: was not running (${report.reason}); recorded as stopped`;
  }
}

export default defineCommand({
  meta: { name: 'stop', description: 'Stop instances: lifeline stop NAME... | --all' },
  args: {
    all: { type: 'boolean', description: 'stop every instance of this device' },
    timeout: { type: 'string', description: `seconds between SIGTERM and SIGKILL (default ${DEFAULT_TIMEOUT_S})`, valueHint: 's' },
    ...jsonArg,
    ...dbArg,
  },
  async run({ args }) {
    const names = args._.map(checkName);
    if (names.length === 0 && !args.all) throw new LifelineError('usage', 'name the instances to stop, or pass --all');
    const graceMs = parseSeconds(args.timeout, DEFAULT_TIMEOUT_S, '--timeout') * 1000;
    // Nothing was ever recorded: a named instance is unknown, and --all has nothing to stop.
    const noDatabase = (): void => {
      if (names[0] !== undefined) throw noneStopped(unknownNameError(names[0], []), names);
      return args.json ? printJson([]) : printLine(NOTHING_TO_STOP);
    };
    return withStore(args, 'write', async ({ ctx }) => {
      const known = ctx.store.instanceNames();
      const missing = names.find((name) => !known.includes(name));
      if (missing !== undefined) {
        if (ctx.store.latestEvent(missing, 'life.stopped') !== null) {
          throw noneStopped(new LifelineError('unknown-name', `${missing} is not running (already stopped); lifeline r ${missing} brings it back`), names);
        }
        throw noneStopped(unknownNameError(missing, ctx.store.knownNames()), names);
      }
      const targets = args.all
        ? [...new Set([...names, ...ctx.store.allInstances().filter((row) => isLocal(row, ctx.deviceId)).map((row) => row.name)])]
        : [...new Set(names)];

      // Each stop is recorded before its signal; the signals and grace periods then run side by side.
      // Once a stop is recorded it is carried through: a Ctrl-C, hang-up or SIGTERM now would leave a
      // program recorded as stopped but running on, untracked.
      for (const signal of INTERRUPTIONS) process.on(signal, carryOn);
      const reports = await Promise.all(
        targets.map(async (name): Promise<StopReport> => {
          const outcome = await stopAndSignal(ctx, { name, by: 'user' }, graceMs);
          if (!outcome.stopped) return { name, pid: null, action: 'already-stopped', reason: null, signal: null };
          return { name, pid: outcome.row.pid, action: 'stopped', reason: outcome.reason, signal: outcome.signal };
        }),
      );
      if (args.json) return printJson(reports);
      if (reports.length === 0) printLine(NOTHING_TO_STOP);
      for (const report of reports) printLine(visible(describeStop(report, graceMs)));
    }, noDatabase);
  },
});
