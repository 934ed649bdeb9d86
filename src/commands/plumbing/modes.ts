import { LifelineError } from '../../errors.js';
import { requireTmux, SESSION_PATTERN } from '../../integration/tmux.js';
import { visible } from '../../output.js';
import type { Reservation } from '../../lifecycle/starting/launch.js';
import { notices } from '../../notices.js';
import { DEFAULT_TMUX_SESSION, type LaunchMode, type Started } from '../../lifecycle/starting/start.js';

/** `--tmux[=SESSION]`: citty sees a boolean; the session, if any, is read from the raw words here. */
export const tmuxArg = {
  tmux: { type: 'boolean', description: `run in its own window of a tmux session (--tmux=SESSION, default ${DEFAULT_TMUX_SESSION})` },
} as const;

/** The session of `--tmux[=SESSION]` among the words before `--`, or null without the flag. */
export function tmuxSession(rawArgs: readonly string[]): string | null {
  const end = rawArgs.indexOf('--');
  const words = end < 0 ? rawArgs : rawArgs.slice(0, end);
  let session: string | null = null;
  for (const word of words) {
    if (word === '--tmux') session = DEFAULT_TMUX_SESSION;
    else if (word.startsWith('--tmux=')) {
      session = word.slice('--tmux='.length);
      if (!SESSION_PATTERN.test(session)) {
        throw new LifelineError('usage', `invalid tmux session ${JSON.stringify(session)}: use letters, digits, '_' or '-'`);
      }
    }
  }
  return session;
}

/** The mode the flags ask for, or null when they say nothing. At most one of them. */
export function modeFromFlags(rawArgs: readonly string[], flags: { detach?: boolean; foreground?: boolean }): LaunchMode | null {
  const session = tmuxSession(rawArgs);
  const asked = [flags.detach === true, flags.foreground === true, session !== null].filter(Boolean).length;
  if (asked > 1) throw new LifelineError('usage', 'pick one of --foreground, --detach and --tmux');
  if (session !== null) {
    requireTmux(); // No tmux: a one-line error before anything is written.
    return { kind: 'tmux', session };
  }
  if (flags.detach === true) return { kind: 'detached' };
  if (flags.foreground === true) return { kind: 'foreground' };
  return null;
}

/** `in tmux window lifeline:alice (tmux attach -t lifeline)`, `detached; output: …`. */
export function describeStarted(started: Exclude<Started, { kind: 'foreground' }>): string {
  if (started.kind === 'tmux') return `in tmux window ${started.target} (see it with: tmux attach -t ${started.target.split(':')[0]})`;
  return `detached; output: ${visible(started.logFile)}`;
}

/** Said before a launch or resume that first stopped a ghost holding the name. */
export function reportGhost(reservation: Reservation): void {
  const ghost = reservation.ghost;
  if (ghost?.stopped) notices.info(visible(`${ghost.row.name} was a ghost (${ghost.reason}); recorded it as stopped first`));
}
