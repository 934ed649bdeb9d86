/**
 * Where each agent keeps its configuration and sessions, as the agent itself works it out:
 * claude `$CLAUDE_CONFIG_DIR` else `~/.claude`; codex `$CODEX_HOME` else `~/.codex`; gemini
 * `$GEMINI_CLI_HOME/.gemini` else `~/.gemini` (its `homedir()` override). `~` is `$HOME`.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AgentName } from './known.js';

function userHome(env: NodeJS.ProcessEnv): string {
  return env['HOME'] || homedir();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The agent's own folder (`~/.claude`, `~/.codex`, `~/.gemini`). */
export function agentFolder(agent: AgentName, env: NodeJS.ProcessEnv = process.env): string {
  switch (agent) {
    case 'claude': {
      const dir = nonEmpty(env['CLAUDE_CONFIG_DIR']);
      return dir !== undefined ? resolve(dir) : join(userHome(env), '.claude');
    }
    case 'codex': {
      const dir = nonEmpty(env['CODEX_HOME']);
      return dir !== undefined ? resolve(dir) : join(userHome(env), '.codex');
    }
    case 'gemini': {
      const home = nonEmpty(env['GEMINI_CLI_HOME']);
      return join(home !== undefined ? resolve(home) : userHome(env), '.gemini');
    }
  }
}

/** The user configuration file that holds the agent's hooks. */
export function hookConfigFile(agent: AgentName, env: NodeJS.ProcessEnv = process.env): string {
  return join(agentFolder(agent, env), agent === 'codex' ? 'config.toml' : 'settings.json');
}
