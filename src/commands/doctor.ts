import { defineCommand } from 'citty';
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { LifelineError } from '../errors.js';
import { checkBootHooks, lastReconcileFromStamp, type LoginItemCheck, type SnippetCheck } from '../integration/checks.js';
import { loginItemPlan } from '../integration/login-item.js';
import { describeWaiting } from '../lifecycle/starting/waiting.js';
import { KV_RECONCILE_AT, KV_RECONCILE_BOOT } from '../lifecycle/vocabulary.js';
import { formatTime, paint, printJson, printLine, visible } from '../output.js';
import { platform, platformProbe, procRoot } from '../proc/index.js';
import { openDatabase } from '../store/open.js';
import { resolvePaths } from '../store/paths.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import { Store } from '../store/store.js';
import { agentHookReport } from '../integration/agent-hooks.js';
import { dbArg, jsonArg } from './shared.js';
import { trustProblems } from './doctor-trust.js';

interface Report {
  platform: { name: string; supported: boolean };
  boot: { id: string | null; source: string | null };
  proc_root: string;
  state_folder: { path: string; exists: boolean; mode: string | null };
  database: {
    path: string;
    exists: boolean;
    mode: string | null;
    schema_version: number | null;
    known_schema_version: number;
    integrity: string | null;
  };
  shell_snippet: Record<string, SnippetCheck>;
  login_item: LoginItemCheck;
  last_reconcile: { boot_id: string | null; at: number | null; this_boot: boolean };
  /** What waits while a launched program runs: the dash waiter, or the Node fallback and why. */
  waiting: ReturnType<typeof describeWaiting>;
  /** Each agent's lifeline hook: installed, missing, stale, unreadable, or no-config (the agent is not set up here). */
  agent_hooks: Record<string, string>;
  problems: string[];
  warnings: string[];
}

function modeOf(path: string): string | null {
  try {
    return (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
  } catch {
    return null;
  }
}

function examine(dbFlag: string | undefined): Report {
  const paths = resolvePaths(dbFlag);
  const problems: string[] = [];
  const warnings: string[] = [];
  const userHome = process.env['HOME'] || homedir();
  const report: Report = {
    platform: { name: platform(), supported: false },
    boot: { id: null, source: null },
    proc_root: procRoot(),
    state_folder: { path: paths.home, exists: existsSync(paths.home), mode: modeOf(paths.home) },
    database: { path: paths.db, exists: existsSync(paths.db), mode: modeOf(paths.db), schema_version: null, known_schema_version: SCHEMA_VERSION, integrity: null },
    shell_snippet: {},
    login_item: { path: null, installed: false, enabled: false, restore: false, linger: null },
    last_reconcile: { boot_id: null, at: null, this_boot: false },
    waiting: describeWaiting(),
    agent_hooks: {},
    problems,
    warnings,
  };

  try {
    const probe = platformProbe();
    report.platform.supported = true;
    report.boot = { id: probe.bootId(), source: probe.bootIdSource() };
  } catch (error) {
    problems.push(error instanceof LifelineError ? error.message : String(error));
  }

  problems.push(...trustProblems(paths));
  const folderMode = report.state_folder.mode;
  if (folderMode !== null && (Number.parseInt(folderMode, 8) & 0o077) !== 0) {
    warnings.push(`${paths.home} is open to group or others (mode ${folderMode}); chmod 700 it`);
  }
  const dbMode = report.database.mode;
  if (dbMode !== null && (Number.parseInt(dbMode, 8) & 0o077) !== 0) warnings.push(`${paths.db} is readable by others (mode ${dbMode}); chmod 600 it`);

  try {
    const db = openDatabase(paths.db, 'read');
    if (db !== null) {
      const store = new Store(db);
      try {
        report.database.schema_version = store.schemaVersion();
        report.database.integrity = store.integrityCheck();
        if (report.database.integrity !== 'ok') problems.push(`integrity check of ${paths.db}: ${report.database.integrity}`);
        const bootId = store.getKv(KV_RECONCILE_BOOT);
        const at = store.getKv(KV_RECONCILE_AT);
        report.last_reconcile = { boot_id: bootId, at: at === null ? null : Number(at), this_boot: bootId !== null && bootId === report.boot.id };
      } finally {
        store.close();
      }
    } else if (!report.database.exists) {
      warnings.push(`no database yet at ${paths.db}: it is created by the first launch or track`);
    }
  } catch (error) {
    problems.push(error instanceof LifelineError ? error.message : `cannot read ${paths.db}: ${(error as Error).message}`);
  }

  let plan = null;
  try {
    plan = loginItemPlan(dbFlag);
  } catch {
    // Unsupported platform: already a problem above.
  }
  const boot = checkBootHooks(userHome, plan); // snippets (stale paths, twice), login item (enabled or not)
  Object.assign(report, { shell_snippet: boot.shell_snippet, login_item: boot.login_item });
  warnings.push(...boot.warnings);
  if (report.last_reconcile.at === null) report.last_reconcile = lastReconcileFromStamp(paths.stamp, report.boot.id);
  const agents = agentHookReport(dbFlag);
  report.agent_hooks = agents.states;
  warnings.push(...agents.warnings);
  return report;
}

function mark(ok: boolean): string {
  return ok ? paint('ok', 'green') : paint('!!', 'red');
}

export default defineCommand({
  meta: { name: 'doctor', description: 'Check platform, boot id, database, permissions and hooks' },
  args: { ...jsonArg, ...dbArg },
  run({ args }) {
    const report = examine(args.db);
    if (args.json) printJson(report);
    else {
      const db = report.database;
      printLine(`${mark(report.platform.supported)} platform       ${report.platform.name}${report.platform.supported ? '' : ' (not supported)'}`);
      printLine(`${mark(report.boot.id !== null)} boot id        ${report.boot.id ?? '-'} (${report.boot.source ?? 'unreadable'})`);
      printLine(`   proc root      ${report.proc_root}`);
      printLine(`   state folder   ${visible(report.state_folder.path)} (${report.state_folder.mode ?? 'missing'})`);
      printLine(`${mark(db.integrity === null || db.integrity === 'ok')} database       ${visible(db.path)} (${db.exists ? `mode ${db.mode}, schema ${db.schema_version ?? '?'} of ${db.known_schema_version}, integrity ${db.integrity ?? '?'}` : 'not created yet'})`);
      for (const [shell, snippet] of Object.entries(report.shell_snippet)) {
        printLine(`   ${shell.padEnd(14)} ${snippet.present ? 'snippet in' : 'no snippet in'} ${snippet.file}`);
      }
      const item = report.login_item;
      printLine(`   login item     ${item.enabled ? `installed (${item.path})` : item.installed ? `written, not enabled (${item.path})` : 'not installed'}${item.installed ? `, restore ${item.restore ? 'on' : 'off'}` : ''}`);
      if (item.linger !== null) printLine(`   linger         ${item.linger ? 'yes: your programs outlive a logout' : 'no: a logout ends your programs, tmux included (loginctl enable-linger keeps them)'}`);
      for (const [agent, state] of Object.entries(report.agent_hooks)) printLine(`   ${`${agent} hook`.padEnd(14)} ${state}`);
      const last = report.last_reconcile;
      printLine(`   waiting        ${report.waiting.text}`);
      printLine(`   last reconcile ${last.at === null ? 'never' : `${formatTime(last.at)}, ${last.this_boot ? 'this boot' : `boot ${last.boot_id}`}`}`);
      for (const warning of report.warnings) printLine(`${paint('warning', 'yellow')}: ${visible(warning)}`);
      for (const problem of report.problems) printLine(`${paint('problem', 'red')}: ${visible(problem)}`);
    }
    return report.problems.length > 0 ? 1 : 0;
  },
});
