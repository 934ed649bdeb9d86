import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { bind, parseBinding } from '../lifecycle/bindings.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { printLine, visible } from '../output.js';
import { dbArg, extraPositionals, withStore } from './shared.js';

export default defineCommand({
  meta: { name: 'bind', description: 'Attach bindings to an instance: lifeline bind NAME KIND=VALUE...' },
  args: {
    name: { type: 'positional', description: 'instance name' },
    ...dbArg,
  },
  run({ args }) {
    const name = checkName(args.name);
    const bindings = extraPositionals(args, 1).map(parseBinding);
    if (bindings.length === 0) throw new LifelineError('usage', 'give at least one KIND=VALUE');
    const unknown = (): never => {
      throw unknownNameError(name, []);
    };
    withStore(args, 'write', ({ ctx }) => {
      bind(ctx, name, bindings);
      printLine(`${name}: bound ${bindings.map((b) => visible(`${b.kind}=${b.value}`)).join(' ')}`);
    }, unknown);
  },
});
