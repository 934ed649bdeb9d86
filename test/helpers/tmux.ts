import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export interface PrivateTmux {
  /** Environment entries that point tmux (and lifeline's tmux calls) at this private server. */
  readonly env: NodeJS.ProcessEnv;
  /** Runs a tmux client command against the private server; stdout, or throws with stderr. */
  run(args: readonly string[]): string;
  /** Like `run`, but returns null instead of throwing (a window that is gone). */
  tryRun(args: readonly string[]): string | null;
}

/**
 * A tmux server of the test's own: `TMUX_TMPDIR` in a temp folder and `TMUX` unset, so neither the
 * test nor lifeline ever talks to the user's tmux. Killed, and its folder removed, when the file ends.
 */
export function privateTmux(): PrivateTmux {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-tmux-'));
  const base: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: dir };
  delete base['TMUX'];
  const tryRun = (args: readonly string[]): string | null => {
    const result = spawnSync('tmux', args, { env: base, encoding: 'utf8' });
    return result.status === 0 ? result.stdout : null;
  };
  after(() => {
    spawnSync('tmux', ['kill-server'], { env: base, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    env: { TMUX_TMPDIR: dir, TMUX: undefined },
    run(args) {
      const result = spawnSync('tmux', args, { env: base, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    },
    tryRun,
  };
}

/** `name|folder` of each window of a session, in window order. */
export function windowsOf(tmux: PrivateTmux, session: string): string[] {
  const out = tmux.tryRun(['list-windows', '-t', `=${session}`, '-F', '#{window_name}|#{pane_current_path}']);
  return out === null ? [] : out.trim().split('\n').filter((line) => line !== '');
}
