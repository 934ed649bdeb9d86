import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { copyLogRange, followLog, lastLinesStart, logFileOf } from '../lifecycle/logs.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { notices } from '../notices.js';
import { printBytes, visible } from '../output.js';
import { TMUX_BINDING } from '../lifecycle/starting/tmux.js';
import { resolvePaths } from '../store/paths.js';
import { dbArg, parseCount, withStore } from './shared.js';

const DEFAULT_LINES = 50;

export default defineCommand({
  meta: { name: 'logs', description: 'The output of a detached instance: lifeline logs NAME [-f] [-n N]' },
  args: {
    name: { type: 'positional', description: 'instance name' },
    follow: { type: 'boolean', alias: 'f', description: 'keep printing what is appended, until interrupted' },
    lines: { type: 'string', alias: 'n', description: `how many lines from the end (default ${DEFAULT_LINES})`, valueHint: 'n' },
    ...dbArg,
  },
  async run({ args }) {
    const name = checkName(args.name);
    const count = parseCount(args.lines, DEFAULT_LINES, '-n');
    const paths = resolvePaths(args.db);
    const logFile = logFileOf(paths.logs, name);
    const tail = lastLinesStart(logFile, count);
    if (tail === null) throw noLog(name, args);
    const elsewhere = runsElsewhere(name, args);
    if (elsewhere !== null) notices.warn(`${name} now runs ${elsewhere}; this log is from an earlier detached life`);
    copyLogRange(logFile, tail.from, tail.size, printBytes);
    if (args.follow !== true) return 0;
    const stop = new AbortController();
    process.once('SIGINT', () => stop.abort());
    process.once('SIGTERM', () => stop.abort());
    await followLog(logFile, tail.size, printBytes, stop.signal);
    return 0;
  },
});

/** Where the current life of `name` shows its output when it does not write this log (tmux, a terminal); null when detached or not running. */
function runsElsewhere(name: string, args: { db?: string | undefined }): string | null {
  return withStore(args, 'read', ({ ctx }) => {
    const row = ctx.store.getInstance(name);
    if (row === null || row.detached === 1) return null;
    const tmux = ctx.store.bindingsOf(name).find((binding) => binding.kind === TMUX_BINDING)?.value;
    return tmux !== undefined ? `in tmux window ${visible(tmux)}` : 'without this log (not detached)';
  }, () => null);
}

/** No log file: an unknown name (with suggestions), or a known one that never ran detached. */
function noLog(name: string, args: { db?: string | undefined }): LifelineError {
  const noDatabase = (): LifelineError => unknownNameError(name, []);
  return withStore(args, 'read', ({ ctx }) => {
    const known = ctx.store.knownNames();
    if (!known.includes(name)) return unknownNameError(name, known);
    return new LifelineError('unknown-name', `${name} has no log: only a detached instance writes one (lifeline launch --detach, lifeline r ${name} --detach)`);
  }, noDatabase);
}
