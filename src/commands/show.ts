import { defineCommand } from 'citty';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { showInstance, type InstanceShow } from '../lifecycle/returning/show.js';
import { formatTime, printJson, printLine, shellJoin, visible } from '../output.js';
import { dbArg, jsonArg, withStore } from './shared.js';

/** Every value shown comes from the database: escaped for the terminal. */
function field(label: string, value: string): void {
  printLine(`${`${label}:`.padEnd(10)}${visible(value)}`);
}

function printHuman(view: InstanceShow): void {
  const source = view.row ?? view.snapshot ?? {};
  field('name', view.name);
  const stopped = view.stopped === null ? '' : ` ${formatTime(view.stopped.ts)} (${String(view.stopped.reason)}, by ${String(view.stopped.by)})`;
  field('state', `${view.state}${stopped}${view.forgotten ? ', forgotten' : ''}`);
  if (view.turn !== null) field('turn', view.turn_since === null ? view.turn : `${view.turn} since ${formatTime(view.turn_since)}`);
  if (typeof source['pid'] === 'number' && view.row !== null) field('pid', String(source['pid']));
  field('folder', String(source['cwd'] ?? ''));
  if (Array.isArray(source['argv'])) field('command', shellJoin(source['argv'] as string[]));
  if (Array.isArray(source['resume_argv'])) field('template', shellJoin(source['resume_argv'] as string[]));
  if (typeof source['tag'] === 'string') field('tag', source['tag']);
  field('bindings', view.bindings.length === 0 ? '-' : view.bindings.map((b) => `${b.kind}=${b.value}`).join(' '));
  if ('error' in view.resume) field('resume', `cannot: ${view.resume.error}`);
  else {
    const how = view.resume.mode === 'tmux' ? `in tmux session ${view.resume.tmux}` : view.resume.mode === 'detached' ? 'detached' : 'in the terminal';
    field('resume', `lifeline r ${view.name} runs ${how}, in ${view.resume.cwd}:`);
    printLine(`          ${shellJoin(view.resume.argv)}`);
  }
  printLine('events:');
  for (const event of view.events) {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const detail =
      event.type === 'life.stopped'
        ? String(data['reason'] ?? '')
        : event.type === 'life.started'
          ? `pid ${String(data['pid'] ?? '-')}${data['resumed_from'] != null ? `, resumed from #${String(data['resumed_from'])}` : ''}`
          : '';
    printLine(visible(`  #${event.id}  ${formatTime(event.ts)}  ${event.type}  ${String(data['by'] ?? '')}${detail === '' ? '' : `  ${detail}`}`));
  }
}

export default defineCommand({
  meta: { name: 'show', description: 'One instance: its row or newest snapshot, bindings, the command r would run, its last events' },
  args: {
    name: { type: 'positional', description: 'instance name' },
    ...jsonArg,
    ...dbArg,
  },
  run({ args }) {
    const name = checkName(args.name);
    const unknown = (): never => {
      throw unknownNameError(name, []);
    };
    withStore(args, 'read', ({ ctx }) => {
      const view = showInstance(ctx, name);
      if (args.json) printJson(view);
      else printHuman(view);
    }, unknown);
  },
});
