import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { parseBindingFilter, unbind } from '../lifecycle/bindings.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { printLine } from '../output.js';
import { dbArg, extraPositionals, withStore } from './shared.js';

export default defineCommand({
  meta: { name: 'unbind', description: 'Remove bindings: lifeline unbind NAME KIND[=VALUE]...' },
  args: {
    name: { type: 'positional', description: 'instance name' },
    ...dbArg,
  },
  run({ args }) {
    const name = checkName(args.name);
    const filters = extraPositionals(args, 1).map(parseBindingFilter);
    if (filters.length === 0) throw new LifelineError('usage', 'give at least one KIND or KIND=VALUE');
    const unknown = (): never => {
      throw unknownNameError(name, []);
    };
    withStore(args, 'write', ({ ctx }) => {
      const removed = unbind(ctx, name, filters);
      printLine(`${name}: removed ${removed} binding${removed === 1 ? '' : 's'}`);
    }, unknown);
  },
});
