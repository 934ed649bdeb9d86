import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { bind, parseBinding } from '../lifecycle/bindings.js';
import { checkName, unknownNameError } from '../lifecycle/names.js';
import { printLine, visible } from '../output.js';
import { dbArg, extraPositionals, openExistingForWrite } from './shared.js';

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
    const opened = openExistingForWrite(args);
    if (opened === null) throw unknownNameError(name, []);
    const { ctx } = opened;
    try {
      bind(ctx, name, bindings);
      printLine(`${name}: bound ${bindings.map((b) => visible(`${b.kind}=${b.value}`)).join(' ')}`);
    } finally {
      ctx.store.close();
    }
  },
});
