import { dirname } from 'node:path';
import { defineCommand } from 'citty';
import { hookConfigFile } from '../agents/homes.js';
import { AGENT_NAMES, type AgentName, isAgentName } from '../agents/known.js';
import { LifelineError } from '../errors.js';
import { type AgentConfigPlan, type HookTarget, planAgentConfig } from '../integration/agent-config.js';
import { hookTarget, io, planFolder } from '../integration/agent-hooks.js';
import { checkEditable, dropBackup, removeConfig, rewriteConfig } from '../integration/config-file.js';
import { recordCreatedFolder, removeCreatedFolders } from '../integration/created-folders.js';
import { lifelineHome } from '../store/paths.js';
import { printJson, printLine } from '../output.js';
import { dbArg, jsonArg } from './shared.js';

const ACTIONS = ['install', 'uninstall', 'status'] as const;
type Action = (typeof ACTIONS)[number];

/** Named agents, or every known agent whose configuration folder exists. */
function chooseAgents(words: readonly string[]): { agents: AgentName[]; named: boolean } {
  for (const word of words) {
    if (!isAgentName(word)) throw new LifelineError('usage', `unknown agent ${JSON.stringify(word)}; known: ${AGENT_NAMES.join(', ')}`);
  }
  if (words.length > 0) return { agents: [...new Set(words as AgentName[])], named: true };
  return { agents: AGENT_NAMES.filter((agent) => io.exists(planFolder(agent))), named: false };
}

/**
 * The lines that change, `-` before and `+` after: what lies between the lines both texts start with
 * and the lines both end with. lifeline's edits are inserted or removed spans, so that is exactly the
 * changed region, found in linear time and memory (an LCS table was quadratic: 750 KB ran out of memory).
 */
export function changedLines(before: string, after: string): string[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  return [...a.slice(head, a.length - tail).map((line) => `- ${line}`), ...b.slice(head, b.length - tail).map((line) => `+ ${line}`)];
}

interface Outcome {
  agent: AgentName;
  file: string;
  state: string;
  action: string;
  backup: string | null;
  command: string;
  detail: string | null;
}

function apply(plan: AgentConfigPlan, action: Action, dryRun: boolean): { outcome: Outcome; diff: string[] } {
  const base = { agent: plan.agent, file: plan.file, state: plan.edit.state, backup: null, command: plan.command, detail: plan.edit.detail };
  if (action === 'status') return { outcome: { ...base, action: 'none' }, diff: [] };
  const after = plan.edit.after;
  if (after === null) return { outcome: { ...base, action: 'unchanged' }, diff: [] };
  const before = plan.before;
  const verb = action === 'install' ? (plan.edit.state === 'missing' ? 'install' : 'update') : 'remove';
  // The diff is only shown by --dry-run: a real run does not compute it.
  if (dryRun) return { outcome: { ...base, action: `would-${verb}` }, diff: changedLines(before ?? '', after) };
  const done = `${verb.replace(/e$/, '')}ed`;
  let backup: string | null = null;
  if (plan.edit.remove) {
    removeConfig(plan.file);
    removeCreatedFolders(lifelineHome(), dirname(plan.file));
  } else {
    const written = rewriteConfig(plan.file, before, after, action === 'install');
    if (written.createdFolder !== null) {
      try {
        recordCreatedFolder(lifelineHome(), written.createdFolder);
      } catch {
        // The hook is written; without the record uninstall only leaves the empty folder behind.
      }
    }
    backup = written.backup;
  }
  if (action === 'uninstall') dropBackup(plan.file);
  return { outcome: { ...base, action: done, backup }, diff: [] };
}

/** Status never fails on one agent's file: an unreadable one is reported as such. */
function statusOf(agent: AgentName, target: HookTarget): { outcome: Outcome; diff: string[] } {
  try {
    return apply(planAgentConfig(agent, target, true, io), 'status', false);
  } catch (error) {
    const outcome = { agent, file: hookConfigFile(agent, io.env), state: 'unreadable', action: 'none', backup: null, command: '', detail: (error as Error).message };
    return { outcome, diff: [] };
  }
}

function describe(outcome: Outcome, dryRun: boolean): string {
  const where = outcome.file;
  switch (outcome.action) {
    case 'none':
      return `${outcome.agent}: hook ${outcome.state} in ${where}${outcome.detail === null ? '' : ` (${outcome.detail})`}`;
    case 'unchanged':
      return `${outcome.agent}: ${outcome.state === 'installed' ? 'hook already installed' : 'no lifeline hook'} in ${where}`;
    default: {
      const backup = outcome.backup === null ? '' : `; backup: ${outcome.backup}`;
      return `${outcome.agent}: ${dryRun ? `would ${outcome.action.slice('would-'.length)} the hook in` : `hook ${outcome.action} in`} ${where}${backup}`;
    }
  }
}

export default defineCommand({
  meta: { name: 'agents', description: "Install, remove or check lifeline's SessionStart and turn hooks in claude, codex and gemini: lifeline agents install|uninstall|status [AGENT...]" },
  args: {
    action: { type: 'positional', required: false, description: 'install, uninstall or status' },
    'dry-run': { type: 'boolean', description: 'show the change, write nothing' },
    ...jsonArg,
    ...dbArg,
  },
  run({ args }) {
    const action = args.action as Action;
    if (!(ACTIONS as readonly string[]).includes(action)) throw new LifelineError('usage', `name an action: lifeline agents ${ACTIONS.join('|')} [AGENT...]`);
    const { agents, named } = chooseAgents(args._.slice(1));
    const dryRun = args['dry-run'] === true;
    const target = hookTarget(typeof args.db === 'string' ? args.db : undefined);
    // Every plan and check first: a file lifeline cannot edit (or may not: another user's, read-only)
    // fails the command before any file is written.
    let results: { outcome: Outcome; diff: string[] }[];
    if (action === 'status') results = agents.map((agent) => statusOf(agent, target));
    else {
      const plans = agents.map((agent) => planAgentConfig(agent, target, action === 'install', io));
      if (!dryRun) for (const plan of plans) if (plan.edit.after !== null) checkEditable(plan.file);
      results = plans.map((plan) => apply(plan, action, dryRun));
    }
    if (args.json) {
      printJson({ action, dry_run: dryRun, agents: results.map((r) => ({ ...r.outcome, ...(dryRun ? { diff: r.diff } : {}) })) });
      return 0;
    }
    if (results.length === 0) {
      printLine(`no agent configuration found (${AGENT_NAMES.map(planFolder).join(', ')}); name an agent to ${action} anyway, e.g. lifeline agents ${action} claude`);
      return 0;
    }
    for (const { outcome, diff } of results) {
      printLine(describe(outcome, dryRun));
      if (dryRun) for (const line of diff) printLine(`    ${line}`);
    }
    if (!named && action !== 'status') {
      const skipped = AGENT_NAMES.filter((agent) => !agents.includes(agent));
      if (skipped.length > 0) printLine(`(skipped ${skipped.join(', ')}: no configuration folder; name it to ${action} anyway)`);
    }
    return 0;
  },
});
