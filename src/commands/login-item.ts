import { defineCommand } from 'citty';
import { LifelineError } from '../errors.js';
import { loginItemInstalled, loginItemPlan, loginItemRestores, loginItemState, removeLoginItem, runCommands, writeLoginItem } from '../integration/login-item.js';
import { printLine, printText } from '../output.js';
import { dbArg } from './shared.js';

const ACTIONS = ['install', 'uninstall', 'status'] as const;

/** Where a restoring login item puts the programs it brings back. */
export const RESTORE_ATTACH = 'tmux attach -t lifeline';

const shellLine = (commands: readonly string[][]): string => commands.map((argv) => argv.join(' ')).join(' && ');

export default defineCommand({
  meta: { name: 'login-item', description: 'A systemd user unit (Linux) or LaunchAgent (macOS) that reconciles at login' },
  args: {
    action: { type: 'positional', description: ACTIONS.join(' | ') },
    'dry-run': { type: 'boolean', description: 'print the file and the commands, change nothing' },
    restore: { type: 'boolean', description: 'install: after the reconcile, also bring the last boot back in tmux session lifeline (lifeline r --all --tmux)' },
    ...dbArg,
  },
  run({ args }) {
    const action = args.action;
    if (action === undefined || action === '') throw new LifelineError('usage', `name an action: lifeline login-item ${ACTIONS.join('|')}`);
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new LifelineError('usage', `unknown action ${JSON.stringify(action)}: lifeline login-item ${ACTIONS.join('|')}`);
    }
    const restore = args.restore === true;
    if (restore && action !== 'install') throw new LifelineError('usage', '--restore goes with install: lifeline login-item install --restore');
    const plan = loginItemPlan(args.db, process.env, { restore });
    const dryRun = args['dry-run'] === true;

    if (action === 'status') {
      const state = loginItemState(plan);
      if (state === 'enabled') printLine(`installed: ${plan.path} (enabled: runs at every login)`);
      else if (state === 'written') printLine(`written, not enabled: ${plan.path}; enable it in your login session: ${shellLine(plan.install)}`);
      else printLine(`not installed (would be ${plan.path})`);
      if (state !== 'absent') printLine(loginItemRestores(plan) ? `restore: on (after the reconcile, the last boot comes back in tmux: ${RESTORE_ATTACH})` : 'restore: off (lifeline login-item install --restore turns it on)');
      return;
    }
    if (action === 'install') {
      if (dryRun) {
        printLine(`# would write ${plan.path}:`);
        printText(plan.content);
        printLine(`# then run: ${shellLine(plan.install)}`);
        return;
      }
      writeLoginItem(plan);
      const failed = runCommands(plan.install).find((outcome) => !outcome.ok);
      // What decides is what is on disk, as for status: `systemctl --user enable` makes its link even
      // when the user manager cannot be reached for the daemon-reload (a LaunchAgent has no link).
      const enabled = plan.enabledLink === null ? failed === undefined : loginItemState(plan) === 'enabled';
      if (enabled || failed === undefined) {
        printLine(`wrote ${plan.path}`);
        if (restore) printLine(`restore: on (after the reconcile at login, the last boot comes back in tmux: ${RESTORE_ATTACH})`);
        if (failed === undefined) printLine(`enabled: lifeline reconciles at every login`);
        else printLine(`enabled: lifeline reconciles at every login, from the next one on (${failed.argv.join(' ')} could not run here: ${failed.detail || 'failed'})`);
      } else {
        printLine(`written, not enabled: ${plan.path}`);
        printLine(`could not run ${failed.argv.join(' ')} here (${failed.detail || 'failed'}); to enable it, run this in your login session:\n  ${shellLine(plan.install)}`);
      }
      return;
    }
    // uninstall
    if (dryRun) {
      printLine(`# would run: ${shellLine(plan.uninstall)}`);
      printLine(`# then remove ${plan.path}`);
      return;
    }
    if (!loginItemInstalled(plan)) {
      printLine(`no login item installed at ${plan.path}`);
      return;
    }
    runCommands(plan.uninstall); // Best effort: a manager that is not running has nothing enabled to undo.
    const removed = removeLoginItem(plan);
    if (removed === 'changed') throw new LifelineError('io', `${plan.path} is not lifeline's; left it in place`);
    printLine(`removed ${plan.path}`);
  },
});
