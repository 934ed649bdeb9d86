import { defineCommand } from 'citty';
import { decodeAnyLifeEvent } from '../lifecycle/life-log.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { formatTime, printJson, printLine, printTable } from '../output.js';
import { dbArg, jsonArg, parseCount, withStore } from './shared.js';

export default defineCommand({
  meta: { name: 'events', description: 'The life log, newest first' },
  args: {
    name: { type: 'positional', required: false, description: 'only this instance' },
    limit: { type: 'string', description: 'how many events (default 20)', valueHint: 'n' },
    ...jsonArg,
    ...dbArg,
  },
  run({ args }) {
    const name = typeof args.name === 'string' ? checkName(args.name) : null;
    const limit = parseCount(args.limit, 20, '--limit');
    const noDatabase = (): void => {
      if (name !== null) throw unknownNameError(name, []);
      return args.json ? printJson([]) : printLine('no events yet');
    };
    return withStore(args, 'read', ({ ctx }) => {
      const events = ctx.store.recentEvents(name, limit);
      if (name !== null && events.length === 0 && ctx.store.getInstance(name) === null) {
        throw unknownNameError(name, ctx.store.knownNames());
      }
      const parsed = events.map((event) => ({ ...event, data: decodeAnyLifeEvent(event) as unknown as Record<string, unknown> }));
      if (args.json) return printJson(parsed);
      if (parsed.length === 0) return printLine('no events yet');
      printTable(
        ['ID', 'TIME', 'NAME', 'EVENT', 'BY', 'DETAIL'],
        parsed.map((event) => {
          const data = event.data;
          const detail =
            event.type === 'life.stopped'
              ? String(data['reason'] ?? '')
              : `pid ${String(data['pid'] ?? '-')}${data['resumed_from'] != null ? `, resumed from #${String(data['resumed_from'])}` : ''}`;
          return [String(event.id), formatTime(event.ts), event.instance, event.type, String(data['by'] ?? ''), detail];
        }),
      );
    }, noDatabase);
  },
});
