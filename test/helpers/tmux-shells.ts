import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * A private tmux server of interactive shells (for terminal tests): its own TMUX_TMPDIR and socket name, TMUX unset, killed when the test
 * file ends. The user's tmux is never touched.
 */
export class TmuxShells {
  readonly folder = mkdtempSync(join(tmpdir(), 'lifeline-tmux-'));
  readonly socket = `lifeline-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly env: NodeJS.ProcessEnv;

  constructor(base: NodeJS.ProcessEnv) {
    this.env = { ...base, TMUX_TMPDIR: this.folder };
    delete this.env['TMUX'];
    delete this.env['TMUX_PANE'];
    after(() => this.close());
  }

  run(args: readonly string[]): string {
    const result = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { env: this.env, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }

  /** A new session running an interactive bash with job control; returns its target. */
  shell(name: string, env: Readonly<Record<string, string>>, cwd: string): string {
    const assignments = Object.entries(env).map(([key, value]) => `${key}='${value.replace(/'/g, `'\\''`)}'`);
    this.run(['new-session', '-d', '-s', name, '-x', '120', '-y', '30', '-c', cwd, `exec env ${assignments.join(' ')} bash --norc --noprofile -i`]);
    return `${name}:`;
  }

  type(target: string, ...keys: string[]): void {
    this.run(['send-keys', '-t', target, ...keys]);
  }

  /** The pid of the pane's first process (its shell). */
  panePid(target: string): number {
    return Number(this.run(['display-message', '-p', '-t', target, '#{pane_pid}']).trim());
  }

  close(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { env: this.env, stdio: 'ignore' });
    rmSync(this.folder, { recursive: true, force: true });
  }
}
