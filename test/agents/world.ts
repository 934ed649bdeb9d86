import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CLI, type CliResult } from '../helpers/cli.js';
import { bindings, rows } from '../helpers/db.js';
import { have } from '../helpers/processes.js';
import type { AgentProfile } from './profiles.js';
import { killEverythingWithEnv, killEverythingWithEnvNow, processesWithEnv } from './procs.js';
import { PrivateTmux } from './tmux.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The shell line that runs the package's own `bin` (package.json), as `npm link` would put it on
 * PATH: a Node script through this node, anything else (a sh entry) as it is.
 */
function packageBinExec(): string {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['lifeline'];
  if (bin === undefined) return `exec '${process.execPath}' '${CLI}' "$@"`;
  const path = join(REPO, bin);
  return /\.[cm]?js$/.test(path) ? `exec '${process.execPath}' '${path}' "$@"` : `exec '${path}' "$@"`;
}

/**
 * The next boot as lifeline sees one: a private mount namespace where a file holding a new uuid is
 * bind-mounted over /proc/sys/kernel/random/boot_id (the offline suite's reboot tests do the same).
 * What runs through `lifeline` here, and what it starts (a tmux server, the programs in its windows),
 * reads the new boot id; nothing outside does.
 */
export interface NewBoot {
  readonly bootId: string;
  /** lifeline run inside the new boot, with the world's environment. */
  lifeline(args: readonly string[], cwd?: string, extraEnv?: NodeJS.ProcessEnv): CliResult;
}

/** Root, unshare and nsenter: what a new boot needs. */
export const canBoot = process.getuid?.() === 0 && have('unshare') && have('nsenter');

/** Worlds not yet disposed of: a test that timed out, or the run interrupted, still cleans up. */
const liveWorlds = new Set<AgentWorld>();

after(async () => {
  for (const world of [...liveWorlds]) await world.dispose();
});

for (const signalName of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signalName, () => {
    for (const world of liveWorlds) world.disposeNow();
    process.kill(process.pid, signalName);
  });
}

/**
 * One throwaway world for a real agent: a temp folder (0700) holding the seeded HOME, the project
 * folder, another folder to resume from, lifeline's state folder and the private tmux server. Every
 * process started in it carries a run token in its environment, so `dispose` can find and kill all
 * of them — even a child that escaped its tree — before it removes the folder.
 */
export class AgentWorld {
  readonly root: string;
  readonly home: string;
  readonly project: string;
  readonly elsewhere: string;
  readonly state: string;
  readonly db: string;
  readonly env: NodeJS.ProcessEnv;
  readonly tmux: PrivateTmux;
  private readonly token = randomUUID();

  constructor(
    readonly agent: AgentProfile,
    binDir: string,
  ) {
    this.root = mkdtempSync(join(tmpdir(), `lifeline-${agent.name}-`));
    chmodSync(this.root, 0o700);
    this.home = join(this.root, 'home');
    this.project = join(this.root, 'project');
    this.elsewhere = join(this.root, 'elsewhere');
    this.state = join(this.root, 'state');
    this.db = join(this.state, 'lifeline.db');
    const bin = join(this.root, 'bin');
    for (const folder of [this.home, this.project, this.elsewhere, bin, join(this.root, 'tmp'), join(this.root, 'tmux')]) {
      mkdirSync(folder, { recursive: true, mode: 0o700 });
    }
    // `lifeline` on PATH, as after `npm link`: the panes type what a user types.
    writeFileSync(join(bin, 'lifeline'), `#!/bin/sh\n${packageBinExec()}\n`, { mode: 0o755 });

    // Built from nothing rather than inherited: no CI variables (agents change behaviour under CI),
    // no proxy (they stay offline), no developer's LIFELINE_* or TMUX.
    this.env = {
      PATH: [bin, binDir, dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(':'),
      HOME: this.home,
      USER: userInfo().username,
      LOGNAME: userInfo().username,
      SHELL: '/bin/sh',
      LANG: 'C.UTF-8',
      TERM: 'xterm-256color',
      TMPDIR: join(this.root, 'tmp'),
      LIFELINE_HOME: this.state,
      LIFELINE_AGENT_TEST_RUN: this.token,
      ...agent.env,
    };
    this.tmux = new PrivateTmux(`lifeline-agents-${this.token.slice(0, 8)}`, join(this.root, 'tmux'), this.env);
    liveWorlds.add(this);
    try {
      agent.seed(this.home, [this.project], binDir, this.env);
      this.tmux.start(this.root);
    } catch (error) {
      this.disposeNow();
      throw error;
    }
  }

  /** lifeline run directly (not in a pane), with the world's environment. */
  lifeline(args: readonly string[], cwd = this.project, input?: string, extraEnv: NodeJS.ProcessEnv = {}): CliResult {
    const result = spawnSync(process.execPath, [CLI, ...args], {
      env: { ...this.env, ...extraEnv },
      cwd,
      encoding: 'utf8',
      timeout: 60_000,
      ...(input === undefined ? {} : { input }),
    });
    if (result.error !== undefined) throw result.error;
    return { code: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  /** Every process of this world now (found by its run token): what a shutdown of its session reaches. */
  processes(): number[] {
    return processesWithEnv('LIFELINE_AGENT_TEST_RUN', this.token);
  }

  /**
   * Starts the next boot (see NewBoot). The namespace's holder carries the run token, so `dispose`
   * ends it with the rest.
   */
  async newBoot(): Promise<NewBoot> {
    const bootId = randomUUID();
    const file = join(this.root, `boot_id-${bootId}`);
    writeFileSync(file, `${bootId}\n`);
    const holder = spawn('unshare', ['--mount', 'sh', '-c', `mount --bind '${file}' /proc/sys/kernel/random/boot_id && exec sleep 86400`], {
      env: this.env,
      stdio: 'ignore',
    });
    const pid = holder.pid;
    if (pid === undefined) throw new Error('cannot start unshare for the new boot');
    const deadline = Date.now() + 10_000;
    for (;;) {
      let comm = '';
      try {
        comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        // Not there yet, or gone.
      }
      if (comm === 'sleep') break;
      if (holder.exitCode !== null || Date.now() > deadline) throw new Error(`the new boot's namespace did not come up (unshare ${holder.exitCode ?? 'still starting'})`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    holder.unref();
    return {
      bootId,
      lifeline: (args, cwd = this.project, extraEnv = {}) => {
        const result = spawnSync('nsenter', ['-t', String(pid), '-m', `--wd=${cwd}`, process.execPath, CLI, ...args], {
          env: { ...this.env, ...extraEnv },
          encoding: 'utf8',
          timeout: 90_000,
        });
        if (result.error !== undefined) throw result.error;
        return { code: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
      },
    };
  }

  lifelineOk(args: readonly string[], cwd = this.project): string {
    const result = this.lifeline(args, cwd);
    if (result.code !== 0) {
      throw new Error(`lifeline ${args.join(' ')} exited ${result.code}:\n${result.stdout}${result.stderr}`);
    }
    return result.stdout;
  }

  /** The live instance's `session` binding, read from the registry file. */
  sessionBinding(name: string): string | undefined {
    if (!existsSync(this.db)) return undefined;
    const values = bindings(this.db)
      .filter((row) => row['instance'] === name && row['kind'] === 'session')
      .sort((a, b) => Number(a['created_at']) - Number(b['created_at']));
    return values.length === 0 ? undefined : String(values[values.length - 1]!['value']);
  }

  /** The marker lifeline planted in the live instance `name` (what its hook finds it by). */
  marker(name: string): string {
    const row = existsSync(this.db) ? rows(this.db).find((entry) => entry['name'] === name) : undefined;
    if (typeof row?.['marker'] !== 'string') throw new Error(`no live instance ${name} with a marker in ${this.db}`);
    return row['marker'];
  }

  /** The live row of `name` in the registry file, if any. */
  liveRow(name: string): Record<string, unknown> | undefined {
    return existsSync(this.db) ? rows(this.db).find((entry) => entry['name'] === name) : undefined;
  }

  /** The folder of the world's tmux sockets (TMUX_TMPDIR): a tmux lifeline starts with it set lands here too. */
  get tmuxDir(): string {
    return join(this.root, 'tmux');
  }

  /** The reason recorded in the newest `life.stopped` event of `name`, through `events --json`. */
  stoppedReason(name: string): string | undefined {
    const events = JSON.parse(this.lifelineOk(['events', name, '--json'])) as { type: string; data: { reason?: string } }[];
    return events.find((event) => event.type === 'life.stopped')?.data.reason;
  }

  /** The `session` binding in the newest `life.stopped` snapshot of `name`, through `events --json`. */
  snapshotSession(name: string): string | undefined {
    const events = JSON.parse(this.lifelineOk(['events', name, '--json'])) as {
      type: string;
      data: { snapshot?: { bindings?: { kind: string; value: string }[] } };
    }[];
    const stopped = events.find((event) => event.type === 'life.stopped');
    if (stopped === undefined) throw new Error(`no life.stopped event for ${name}: ${JSON.stringify(events)}`);
    const sessions = (stopped.data.snapshot?.bindings ?? []).filter((binding) => binding.kind === 'session');
    return sessions[sessions.length - 1]?.value;
  }

  /** What `lifeline hook` logged (its refusals and failures), for failure messages. */
  hookLog(): string {
    try {
      return `logs/hook.log:\n${readFileSync(join(this.state, 'logs', 'hook.log'), 'utf8').trim()}`;
    } catch {
      return 'logs/hook.log: none';
    }
  }

  /** Transcript files (any depth under the agent's transcript folder) whose text holds `text`. */
  transcriptsHolding(text: string): string[] {
    const found: string[] = [];
    const walk = (folder: string): void => {
      let entries;
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.jsonl') && readFileSync(path, 'utf8').includes(text)) found.push(path);
      }
    };
    walk(join(this.home, this.agent.transcripts));
    return found;
  }

  /** SIGKILL to whatever of this world is left: what a shutdown does once its wait for SIGTERM is over. */
  async killLeftovers(): Promise<void> {
    await killEverythingWithEnv('LIFELINE_AGENT_TEST_RUN', this.token);
  }

  /** Kills every process of this world (found by its run token), the tmux server, then the folder. */
  async dispose(): Promise<void> {
    liveWorlds.delete(this);
    this.tmux.kill();
    await killEverythingWithEnv('LIFELINE_AGENT_TEST_RUN', this.token);
    rmSync(this.root, { recursive: true, force: true });
  }

  /** The same without waiting, for signal handlers and failed constructors. */
  disposeNow(): void {
    liveWorlds.delete(this);
    this.tmux.kill();
    killEverythingWithEnvNow('LIFELINE_AGENT_TEST_RUN', this.token);
    rmSync(this.root, { recursive: true, force: true });
  }
}
