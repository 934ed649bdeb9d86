import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { stopAndSignal } from '../lifecycle/stop.js';
import { isLocal } from '../lifecycle/verdict.js';
import { printJson, printLine, visible } from '../output.js';
import { dbArg, jsonArg, openExistingForWrite, parseSeconds } from './shared.js';

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
    const opened = openExistingForWrite(args);
    if (opened === null) {
      // Nothing was ever recorded: a named instance is unknown, and --all has nothing to stop.
      if (names[0] !== undefined) throw unknownNameError(names[0], []);
      return args.json ? printJson([]) : printLine('no instances');
    }
    const { ctx } = opened;
    try {
      const known = ctx.store.instanceNames();
      const missing = names.find((name) => !known.includes(name));
      if (missing !== undefined) {
        if (ctx.store.latestEvent(missing, 'life.stopped') !== null) {
          throw new LifelineError('unknown-name', `${missing} is not running (already stopped); lifeline r ${missing} brings it back`);
        }
        throw unknownNameError(missing, ctx.store.knownNames());
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
      for (const report of reports) {
        if (report.action === 'already-stopped') printLine(`${visible(report.name)}: already stopped`);
        else {
          const how = report.signal === null ? 'not signalled: no live process of its own' : report.signal;
          printLine(visible(`${report.name}: stopped (${report.reason}; ${how})`));
        }
      }
    } finally {
      ctx.store.close();
    }
  },
});
