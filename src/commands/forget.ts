import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { forget } from '../lifecycle/ending/forget.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { printJson, printLine } from '../output.js';
import { dbArg, jsonArg, withStore } from './shared.js';

export default defineCommand({
  meta: { name: 'forget', description: 'Hide stopped instances from list --all and r --all: lifeline forget NAME... | --all-stopped' },
  args: {
    'all-stopped': { type: 'boolean', description: 'every stopped instance list --all shows' },
    ...jsonArg,
    ...dbArg,
  },
  run({ args }) {
    const names = args._.map(checkName);
    const all = args['all-stopped'] === true;
    if (names.length === 0 && !all) throw new LifelineError('usage', 'name the stopped instances to forget, or pass --all-stopped');
    if (names.length > 0 && all) throw new LifelineError('usage', 'give names or --all-stopped, not both');
    const noDatabase = (): void => {
      if (names[0] !== undefined) throw unknownNameError(names[0], [], 'stopped instance');
      return args.json ? printJson([]) : printLine('nothing to forget');
    };
    return withStore(args, 'write', ({ ctx }) => {
      const outcomes = forget(ctx, all ? 'all-stopped' : names);
      if (args.json) return printJson(outcomes.map(({ name, action }) => ({ name, action })));
      if (outcomes.length === 0) return printLine('nothing to forget');
      for (const outcome of outcomes) printLine(`${outcome.name}: ${outcome.action === 'forgotten' ? 'forgotten' : 'already forgotten'}`);
    }, noDatabase);
  },
});
