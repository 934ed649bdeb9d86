import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { checkName } from '../lifecycle/names.js';
import { splitShellWords } from '../lifecycle/returning/template.js';
import { trackProcess } from '../lifecycle/starting/track.js';
import { printJson, printLine, shellJoin } from '../output.js';
import { dbArg, jsonArg, repeatedOption, withStore } from './shared.js';

export default defineCommand({
  meta: { name: 'track', description: 'Register an already-running process' },
  args: {
    name: { type: 'positional', description: 'instance name' },
    pid: { type: 'string', required: true, description: 'the process to track' },
    tag: { type: 'string', description: 'a free-form label shown by list' },
    resume: { type: 'string', description: "how to resume it, e.g. 'claude --resume {session}'", valueHint: 'template' },
    ...dbArg,
    ...jsonArg,
  },
  run({ args, rawArgs }) {
    const name = checkName(args.name);
    if (repeatedOption(rawArgs, 'resume').length > 1) throw new LifelineError('usage', "--resume given twice; quote the whole template: --resume 'claude --resume {session}'");
    if (!/^[1-9]\d{0,9}$/.test(args.pid)) throw new LifelineError('usage', `--pid takes a process id, got ${JSON.stringify(args.pid)}`);
    const resumeArgv = typeof args.resume === 'string' ? splitShellWords(args.resume) : null;
    withStore(args, 'create', ({ ctx }) => {
      const tracked = trackProcess(ctx, { name, pid: Number(args.pid), tag: args.tag || null, resumeArgv });
      if (args.json) printJson(tracked);
      else printLine(`tracking ${name} (pid ${tracked.pid}): ${shellJoin(tracked.argv)}`);
    });
  },
});
