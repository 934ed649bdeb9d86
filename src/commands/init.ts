import { defineCommand } from 'citty';
import { parseShell, rcFile, shellSnippet } from '../integration/shell.js';
import { notices } from '../notices.js';
import { printLine, printText } from '../output.js';
import { platform, procRoot } from '../proc/index.js';
import { cliScript } from '../self.js';
import { resolvePaths } from '../store/paths.js';
import { homedir } from 'node:os';
import { dbArg } from './shared.js';

export default defineCommand({
  meta: { name: 'init', description: 'Print the shell snippet that reconciles once per boot: lifeline init bash >> ~/.bashrc' },
  args: {
    shell: { type: 'positional', required: false, description: 'bash, zsh or fish' },
    ...dbArg,
  },
  run({ args }) {
    const shell = parseShell(args.shell);
    const paths = resolvePaths(args.db);
    const snippet = shellSnippet(shell, {
      node: process.execPath,
      cli: cliScript,
      stamp: paths.stamp,
      notice: paths.notice,
      db: paths.dbChosen ? paths.db : null,
      home: paths.home,
      procRoot: procRoot(),
      platform: platform() === 'darwin' ? 'darwin' : 'linux',
    });
    printText(snippet);
    if (process.stdout.isTTY) {
      printLine();
      notices.info(`add it to your shell: lifeline init ${shell} >> ${rcFile(shell, process.env['HOME'] || homedir())}`);
    }
  },
});
