import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from './cli.js';
import { makeHome, type TestHome } from './home.js';
import { cleanupLater, waitFor } from './processes.js';

/** The stand-in agent (fixtures/agents/stand-in.mjs); tests run from dist/test/, the fixtures stay at the top. */
export const STAND_IN = fileURLToPath(new URL('../../../fixtures/agents/stand-in.mjs', import.meta.url));

export const AGENTS = ['claude', 'codex', 'gemini'] as const;

export interface AgentHome extends TestHome {
  /** The user's HOME, where the agents keep their configuration and transcripts. */
  readonly user: string;
  /** A project folder to run agents in. */
  readonly project: string;
}

/**
 * A temp LIFELINE_HOME plus a temp HOME with `~/.claude`, `~/.codex` and `~/.gemini`, and a PATH
 * whose `claude`, `codex` and `gemini` are the stand-in (a `sh` wrapper that execs node, so the
 * pid lifeline records is the stand-in's own).
 */
export function makeAgentHome(folders: readonly string[] = AGENTS): AgentHome {
  const base = makeHome();
  const user = join(base.dir, 'user');
  const bin = join(base.dir, 'bin');
  const project = join(base.dir, 'my_project.v2');
  for (const folder of folders) mkdirSync(join(user, `.${folder}`), { recursive: true });
  mkdirSync(user, { recursive: true });
  mkdirSync(bin);
  mkdirSync(project);
  for (const agent of AGENTS) {
    const wrapper = join(bin, agent);
    writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${STAND_IN}' ${agent} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  const env: NodeJS.ProcessEnv = { ...base.env, HOME: user, PATH: `${bin}:${base.env['PATH'] ?? ''}` };
  delete env['CLAUDE_CONFIG_DIR'];
  delete env['CODEX_HOME'];
  delete env['GEMINI_CLI_HOME'];
  return { ...base, env, user, project };
}

/** A foreground `lifeline …` whose program reads lines from our pipe, and whose output we watch. */
export interface Interactive {
  readonly child: ChildProcess;
  output(): string;
  send(line: string): void;
  waitFor(pattern: RegExp, what?: string): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export function interactive(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Interactive {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  cleanupLater(child.pid);
  let text = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => text,
    send: (line) => child.stdin!.write(`${line}\n`),
    async waitFor(pattern, what = String(pattern)) {
      let match: RegExpMatchArray | null = null;
      await waitFor(`${what} in: ${text}`, () => (match = pattern.exec(text)) !== null, 15_000);
      return match!;
    },
  };
}
