import { childProcesses } from '../child-processes.js';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { findOnPath } from './on-path.js';
import { LifelineError } from '../errors.js';
import { platform } from '../proc/index.js';
import { cliScript } from '../self.js';
import { resolvePaths } from '../store/paths.js';

/** What the login item runs, with absolute paths only: a login session has no PATH of the user's shell. */
export interface LoginTarget {
  readonly node: string;
  readonly cli: string;
  /** `--db PATH` when the database was chosen at install time. */
  readonly db: string | null;
  readonly home: string;
  /** The user's home folder, where the unit or agent file goes. */
  readonly userHome: string;
  readonly configHome: string | null;
  /** `install --restore`: after the reconcile, bring the last boot's set back in tmux (`reconcile --restore`). */
  readonly restore?: boolean;
  /**
   * systemd-run's absolute path, for a restoring unit: the programs it starts must outlive the unit, and
   * systemd kills what a finished oneshot service leaves in its cgroup, so the reconcile runs in a scope
   * of its own (`systemd-run --user --scope`), which lives on with the tmux server it starts.
   */
  readonly systemdRun?: string | null;
}

export interface LoginItemPlan {
  readonly platform: 'linux' | 'darwin';
  readonly path: string;
  readonly content: string;
  /** Run after writing the file (install) or before removing it (uninstall). */
  readonly install: string[][];
  readonly uninstall: string[][];
  /**
   * What makes the item run at login besides the file, when that is something else: the link that
   * `systemctl --user enable` makes in default.target.wants. Null for a LaunchAgent, which every
   * login loads from its folder.
   */
  readonly enabledLink: string | null;
}

export const SYSTEMD_UNIT = 'lifeline-reconcile.service';
export const LAUNCH_AGENT_LABEL = 'dev.lifeline.reconcile';

function reconcileArgv(target: LoginTarget): string[] {
  // No terminal at login: the notice waits for the first terminal shell (SPEC §13).
  const restore = target.restore === true ? ['--restore'] : [];
  return [target.node, target.cli, 'reconcile', '--quiet', '--defer-notice', ...restore, ...(target.db !== null ? ['--db', target.db] : [])];
}

/** The words of the unit's ExecStart: a restoring reconcile runs in a scope of its own (see LoginTarget.systemdRun). */
function unitExecArgv(target: LoginTarget): string[] {
  const argv = reconcileArgv(target);
  if (target.restore !== true || target.systemdRun === null || target.systemdRun === undefined) return argv;
  return [target.systemdRun, '--user', '--scope', '--quiet', '--collect', '--', ...argv];
}

/** The option a login item that restores passes to reconcile: how status and doctor tell it from its file. */
export const RESTORE_OPTION = '--restore';

/**
 * systemd's own quoting: double quotes with \" and \\ escapes, % doubled (specifiers expand in both
 * directives). `$` is doubled only in ExecStart, where it expands variables: `Environment=` takes it
 * as it is, so a doubled one would reach the program as `$$`.
 */
function systemdWord(word: string, where: 'exec' | 'environment' = 'exec'): string {
  let escaped = word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%');
  if (where === 'exec') escaped = escaped.replace(/\$/g, '$$$$');
  return /[\s"'\\$%;]/.test(word) || word === '' ? `"${escaped}"` : escaped;
}

/**
 * A unit file or plist is read line by line: a newline (or any control character) in a path would
 * end the line and start another directive. Such a path is refused, not written.
 */
function checkPathsWritable(target: LoginTarget): void {
  for (const path of [target.node, target.cli, target.db, target.home, target.userHome, target.configHome]) {
    // eslint-disable-next-line no-control-regex
    if (path !== null && /[\u0000-\u001f\u007f]/.test(path)) {
      throw new LifelineError('usage', `cannot write a login item for ${JSON.stringify(path)}: a newline or other control character in a path would break the file`);
    }
  }
}

export function systemdUnit(target: LoginTarget): LoginItemPlan {
  checkPathsWritable(target);
  const configHome = target.configHome ?? join(target.userHome, '.config');
  const content = [
    '[Unit]',
    'Description=lifeline: record the agents that did not survive the last boot',
    '',
    '[Service]',
    'Type=oneshot',
    `Environment=${systemdWord(`LIFELINE_HOME=${target.home}`, 'environment')}`,
    `ExecStart=${unitExecArgv(target).map((word) => systemdWord(word)).join(' ')}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
  return {
    platform: 'linux',
    path: join(configHome, 'systemd', 'user', SYSTEMD_UNIT),
    enabledLink: join(configHome, 'systemd', 'user', 'default.target.wants', SYSTEMD_UNIT),
    content,
    install: [
      ['systemctl', '--user', 'daemon-reload'],
      ['systemctl', '--user', 'enable', SYSTEMD_UNIT],
    ],
    uninstall: [
      ['systemctl', '--user', 'disable', SYSTEMD_UNIT],
      ['systemctl', '--user', 'daemon-reload'],
    ],
  };
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function launchAgent(target: LoginTarget, uid: number): LoginItemPlan {
  checkPathsWritable(target);
  const path = join(target.userHome, 'Library', 'LaunchAgents', `${LAUNCH_AGENT_LABEL}.plist`);
  const content = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    '  <key>Label</key>',
    `  <string>${LAUNCH_AGENT_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...reconcileArgv(target).map((word) => `    <string>${xml(word)}</string>`),
    '  </array>',
    '  <key>EnvironmentVariables</key>',
    '  <dict>',
    '    <key>LIFELINE_HOME</key>',
    `    <string>${xml(target.home)}</string>`,
    '  </dict>',
    '  <key>RunAtLoad</key>',
    '  <true/>',
    // launchd ends a job's process group with the job: the tmux server a restore starts must stay.
    ...(target.restore === true ? ['  <key>AbandonProcessGroup</key>', '  <true/>'] : []),
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
  return {
    platform: 'darwin',
    path,
    enabledLink: null,
    content,
    install: [['launchctl', 'bootstrap', `gui/${uid}`, path]],
    uninstall: [['launchctl', 'bootout', `gui/${uid}`, path]],
  };
}

export interface CommandOutcome {
  readonly argv: string[];
  readonly ok: boolean;
  readonly detail: string;
}

/** Runs the service manager's commands; a missing or unreachable manager is an outcome, not an exception. */
export function runCommands(commands: readonly string[][]): CommandOutcome[] {
  return commands.map((argv) => {
    const result = childProcesses().spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 15_000 });
    const ok = result.error === undefined && result.status === 0;
    const detail = result.error !== undefined ? result.error.message : `${result.stderr ?? ''}`.trim().split('\n')[0] ?? '';
    return { argv, ok, detail };
  });
}

export function writeLoginItem(plan: LoginItemPlan): void {
  const folder = dirname(plan.path);
  if (!existsSync(folder)) mkdirSync(folder, { recursive: true, mode: 0o755 });
  writeFileSync(plan.path, plan.content, { mode: 0o644 });
  chmodSync(plan.path, 0o644);
}

/** Removes exactly what install wrote: the one file, and only if it is still ours. */
export function removeLoginItem(plan: LoginItemPlan): 'removed' | 'absent' | 'changed' {
  if (!existsSync(plan.path)) return 'absent';
  const current = readFileSync(plan.path, 'utf8');
  if (!current.includes('lifeline')) return 'changed';
  rmSync(plan.path);
  // systemctl could not disable it (no user bus): the link it made would point at nothing.
  if (plan.enabledLink !== null && isSymlink(plan.enabledLink)) rmSync(plan.enabledLink);
  return 'removed';
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export function loginItemInstalled(plan: LoginItemPlan): boolean {
  return existsSync(plan.path);
}

/** `written`: the file is there but nothing starts it at login (systemctl could not enable it). */
export type LoginItemState = 'absent' | 'written' | 'enabled';

export function loginItemState(plan: LoginItemPlan): LoginItemState {
  if (!existsSync(plan.path)) return 'absent';
  if (plan.enabledLink === null) return 'enabled';
  return isSymlink(plan.enabledLink) ? 'enabled' : 'written';
}

/** An absolute path of `command` on PATH, or null: unit files run with no PATH of the user's shell. */
function onPath(command: string, env: NodeJS.ProcessEnv): string | null {
  const found = findOnPath(command, env);
  return found !== null && isAbsolute(found) ? found : null;
}

/** Whether the installed login item also brings the last boot's set back (`install --restore`). */
export function loginItemRestores(plan: LoginItemPlan): boolean {
  try {
    return readFileSync(plan.path, 'utf8').includes(RESTORE_OPTION);
  } catch {
    return false;
  }
}

/**
 * Whether the user's systemd manager lingers (`loginctl show-user`): without it, it stops at the last
 * logout with everything the user runs, tmux and its programs included. Null where it cannot be told.
 */
export function userLingers(): boolean | null {
  const result = childProcesses().spawnSync('loginctl', ['show-user', String(process.getuid?.() ?? ''), '--property=Linger', '--value'], { encoding: 'utf8', timeout: 5_000 });
  const answer = result.status === 0 ? String(result.stdout).trim() : '';
  return answer === 'yes' ? true : answer === 'no' ? false : null;
}

/** The login item for this machine and database (`login-item` installs it, `doctor` looks for it). */
export function loginItemPlan(db: string | undefined, env: NodeJS.ProcessEnv = process.env, options: { restore?: boolean } = {}): LoginItemPlan {
  const paths = resolvePaths(db, env);
  const target: LoginTarget = {
    node: process.execPath,
    cli: cliScript,
    db: paths.dbChosen ? paths.db : null,
    home: paths.home,
    userHome: env['HOME'] || homedir(),
    configHome: env['XDG_CONFIG_HOME'] || null,
    restore: options.restore === true,
    systemdRun: options.restore === true ? onPath('systemd-run', env) : null,
  };
  const os = platform();
  if (os === 'darwin') return launchAgent(target, process.getuid?.() ?? 501);
  if (os === 'linux') return systemdUnit(target);
  throw new LifelineError('unsupported-platform', `login items are not supported on ${os}`);
}
