import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A private tmux server: its own socket folder (TMUX_TMPDIR) and socket name, TMUX unset, no config
 * file. Dead panes stay on screen (remain-on-exit) so a failure can show what the program printed last.
 */

export interface Pane {
  readonly id: string;
  readonly pid: number;
  readonly label: string;
}

export interface PaneState {
  readonly dead: boolean;
  readonly exitStatus: string;
}

export class PrivateTmux {
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly socketName: string,
    socketDir: string,
    serverEnv: NodeJS.ProcessEnv,
  ) {
    this.env = { ...serverEnv, TMUX_TMPDIR: socketDir };
    delete this.env['TMUX'];
    delete this.env['TMUX_PANE'];
  }

  run(args: readonly string[]): string {
    const result = spawnSync('tmux', ['-L', this.socketName, '-f', '/dev/null', ...args], {
      env: this.env,
      encoding: 'utf8',
      timeout: 15_000,
    });
    if (result.status !== 0) {
      throw new Error(`tmux ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr ?? result.error}`);
    }
    return result.stdout;
  }

  /** Starts the server with one idle window; the server's environment is the one given to the constructor. */
  start(cwd: string): void {
    this.run(['new-session', '-d', '-s', 'lab', '-n', 'idle', '-x', '200', '-y', '50', '-c', cwd, 'exec sleep 86400']);
    this.run(['set-option', '-g', 'remain-on-exit', 'on']);
    this.run(['set-option', '-g', 'history-limit', '5000']);
    this.run(['set-option', '-g', 'default-size', '200x50']);
  }

  openWindow(label: string, cwd: string, command: string): Pane {
    const out = this.run(['new-window', '-d', '-t', 'lab:', '-n', label, '-c', cwd, '-P', '-F', '#{pane_id} #{pane_pid}', command]);
    const [id, pid] = out.trim().split(' ');
    return { id: id!, pid: Number(pid), label };
  }

  closeWindow(pane: Pane): void {
    try {
      this.run(['kill-pane', '-t', pane.id]);
    } catch {
      // Already gone.
    }
  }

  /** The pane's visible text, wrapped lines joined (scrollback left out: a cleared screen counts as cleared). */
  capture(pane: Pane): string {
    return this.run(['capture-pane', '-p', '-J', '-t', pane.id]);
  }

  state(pane: Pane): PaneState {
    const [dead, status] = this.run(['display-message', '-p', '-t', pane.id, '#{pane_dead} #{pane_dead_status}'])
      .trim()
      .split(' ');
    return { dead: dead === '1', exitStatus: status ?? '' };
  }

  /**
   * The pane terminal's input modes, for failure messages. A TUI agent runs its terminal raw
   * (-icanon -icrnl); `icrnl` back on means Enter reaches it as LF (Ctrl-J), which codex and gemini
   * take as "new line" instead of "submit": something else reset the terminal after the agent set it.
   */
  terminalModes(pane: Pane): string {
    try {
      const tty = this.run(['display-message', '-p', '-t', pane.id, '#{pane_tty}']).trim();
      const modes = spawnSync('stty', ['-a', '-F', tty], { encoding: 'utf8', timeout: 5_000 }).stdout ?? '';
      const flags = ['icanon', 'echo', 'icrnl', 'isig'].map((flag) => (new RegExp(`(^|\\s)-${flag}(\\s|$)`).test(modes) ? `-${flag}` : flag));
      const hint = flags.includes('-icanon') && flags.includes('icrnl') ? ' (raw input but icrnl: Enter arrives as LF)' : '';
      return `terminal ${tty}: ${flags.join(' ')}${hint}`;
    } catch (error) {
      return `terminal modes unknown: ${String(error)}`;
    }
  }

  /** Types text literally (no key names), as a user would. */
  type(pane: Pane, text: string): void {
    this.run(['send-keys', '-t', pane.id, '-l', text]);
  }

  press(pane: Pane, key: string): void {
    this.run(['send-keys', '-t', pane.id, key]);
  }

  /** The server's own pid, for the sweep after kill-server. */
  serverPid(): number | null {
    try {
      return Number(this.run(['display-message', '-p', '#{pid}']).trim());
    } catch {
      return null;
    }
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socketName, 'kill-server'], { env: this.env, stdio: 'ignore', timeout: 15_000 });
  }

  /**
   * Polls the pane until `check` holds. On timeout, or when the pane's program ended first, throws
   * an error that says what was awaited and shows the pane as it was.
   */
  async waitFor(pane: Pane, what: string, check: (screen: string) => boolean, timeoutMs: number, pollMs = 250): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.capture(pane);
      if (check(screen)) return screen;
      const state = this.state(pane);
      if (state.dead) {
        throw new Error(`${pane.label}: the program ended (status ${state.exitStatus}) before ${what}. Pane:\n${tidy(screen)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`${pane.label}: timed out after ${timeoutMs / 1000} s waiting for ${what}. Pane:\n${tidy(screen)}\n${this.terminalModes(pane)}`);
      }
      await sleep(pollMs);
    }
  }
}

/** Pane text for an error message: trailing blanks and empty lines dropped. */
export function tidy(screen: string): string {
  return screen
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '')
    .join('\n');
}
