import { existsSync, realpathSync, statSync } from 'node:fs';
import { agentFolder } from '../agents/homes.js';
import { AGENT_NAMES, type AgentName } from '../agents/known.js';
import { type ConfigIo, type HookTarget, planAgentConfig } from './agent-config.js';
import { readConfig } from './config-file.js';
import { cliScript } from '../self.js';
import { resolvePaths } from '../store/paths.js';

/**
 * The agents' hook configuration as this machine has it: the real files, this node and this
 * lifeline. Shared by `lifeline agents` and `doctor`, which only reports.
 */
export const io: ConfigIo = {
  env: process.env,
  read: readConfig,
  exists: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  realpath: realpathSync,
};

/** What the installed hook runs: this node and this lifeline, by absolute path (and `--db` when chosen). */
export function hookTarget(dbFlag: string | undefined): HookTarget {
  const paths = resolvePaths(dbFlag);
  return { node: process.execPath, cli: cliScript, db: paths.dbChosen ? paths.db : null };
}

export function planFolder(agent: AgentName): string {
  return agentFolder(agent, io.env);
}

/** For doctor: each agent whose folder exists, with its hook's state (warnings for missing or stale). */
export function agentHookReport(dbFlag: string | undefined): { states: Record<string, string>; warnings: string[] } {
  const states: Record<string, string> = {};
  const warnings: string[] = [];
  const target = hookTarget(dbFlag);
  for (const agent of AGENT_NAMES) {
    if (!existsSync(planFolder(agent))) {
      states[agent] = 'no-config';
      continue;
    }
    try {
      const plan = planAgentConfig(agent, target, true, io);
      states[agent] = plan.edit.state;
      if (plan.edit.state === 'missing') warnings.push(`${agent}: lifeline's session hook is not installed in ${plan.file}; run lifeline agents install ${agent}`);
      if (plan.edit.state === 'stale') warnings.push(`${agent}: lifeline's session hook in ${plan.file} is stale (${plan.edit.detail}); run lifeline agents install ${agent}`);
    } catch (error) {
      states[agent] = 'unreadable';
      warnings.push(`${agent}: ${(error as Error).message}`);
    }
  }
  return { states, warnings };
}
