import { childProcesses } from '../child-processes.js';
import { LifelineError } from '../errors.js';

/**
 * The few tmux commands lifeline runs, through tmux's own client: its default socket rules apply
 * (`TMUX_TMPDIR`, or the server of `$TMUX` when run inside tmux), so lifeline talks to the server the
 * user's own `tmux attach` would. Windows are addressed by their id (`@3`), never by name, since an
 * instance name may hold a `.` that tmux would read as a pane separator.
 *
 * Every text a user or a program supplied reaches tmux literally (see `literalArgument` and
 * `literalFormat`): tmux's client reads an argument that ends in `;` as a command separator, and it
 * expands the value of `-c`, `-n` and `-s` as a format, where `#(…)` runs a shell command.
 */

interface TmuxRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * An argument as tmux's client must receive it to see `text`: a trailing `;` ends a command there
 * unless escaped as `\;` (tmux removes one backslash before a final `;`, so `a\;` arrives as `a\\;`).
 */
export function literalArgument(text: string): string {
  return text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text;
}

/** A value tmux expands as a format (`-c` folder, `-n`/`-s` names): `#` is doubled so nothing expands. */
export function literalFormat(text: string): string {
  return text.replace(/#/g, '##');
}

function tmux(args: readonly string[]): TmuxRun {
  const result = childProcesses().spawnSync('tmux', args.map(literalArgument), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  if (result.error !== undefined) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new LifelineError('launch-failed', 'tmux is not installed; install it, or use --detach');
    }
    throw new LifelineError('launch-failed', `cannot run tmux: ${result.error.message}`);
  }
  return { status: result.status, stdout: String(result.stdout), stderr: String(result.stderr) };
}

function failed(what: string, run: TmuxRun): LifelineError {
  const why = run.stderr.trim().split('\n')[0] ?? '';
  return new LifelineError('launch-failed', `tmux could not ${what}${why === '' ? '' : `: ${why}`}`);
}

/** Throws the one-line "not installed" error before anything is written. */
export function requireTmux(): void {
  tmux(['-V']);
}

/** tmux turns `.` and `:` in session names into `_`; a name lifeline passes is kept to what survives as is. */
export const SESSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface NewWindow {
  readonly session: string;
  readonly window: string;
  readonly cwd: string;
  /** Set in the window's environment (`-e`), so no value shows in a command line. */
  readonly env: Readonly<Record<string, string>>;
  /** Run directly, without a shell (more than one word). */
  readonly argv: readonly string[];
}

/**
 * Opens a window running `argv` in `session`, creating the session (detached) when it is missing.
 * Returns the window id.
 */
export function openWindow(order: NewWindow): string {
  const common = ['-d', '-P', '-F', '#{window_id}', '-n', literalFormat(order.window), '-c', literalFormat(order.cwd)];
  for (const [key, value] of Object.entries(order.env)) common.push('-e', `${key}=${value}`);
  const command = ['--', ...order.argv];
  const exists = tmux(['has-session', '-t', `=${order.session}`]).status === 0;
  if (!exists) {
    const created = tmux(['new-session', ...common, '-s', literalFormat(order.session), ...command]);
    if (created.status === 0) return created.stdout.trim();
    // Another lifeline created it meanwhile: use it.
    if (!/duplicate session/.test(created.stderr)) throw failed(`create session ${order.session}`, created);
  }
  const opened = tmux(['new-window', ...common, '-t', `=${order.session}:`, ...command]);
  if (opened.status !== 0) throw failed(`open a window in session ${order.session}`, opened);
  return opened.stdout.trim();
}

/** Keeps a window whose command ended, so that a launcher's error can still be read from it. */
export function setRemainOnExit(windowId: string, keep: boolean): void {
  tmux(keep ? ['set-option', '-w', '-t', windowId, 'remain-on-exit', 'on'] : ['set-option', '-w', '-u', '-t', windowId, 'remain-on-exit']);
}

/** Whether the window's pane still runs its command; null when the window is gone. */
export function paneDead(windowId: string): boolean | null {
  const run = tmux(['display-message', '-p', '-t', windowId, '#{pane_dead}']);
  return run.status === 0 ? run.stdout.trim() === '1' : null;
}

/** The pane's text with its whole history: a dead pane's last lines may have scrolled out of the screen. */
export function capturePane(windowId: string): string {
  const run = tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', windowId]);
  return run.status === 0 ? run.stdout : '';
}

export function killWindow(windowId: string): void {
  tmux(['kill-window', '-t', windowId]);
}
