import { defineCommand } from 'citty';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { LifelineError } from '../errors.js';
import { rcFile, SHELLS, SNIPPET_BEGIN } from '../integration/shell.js';
import { describeWaiting } from '../lifecycle/waiting.js';
import { KV_RECONCILE_AT, KV_RECONCILE_BOOT } from '../lifecycle/vocabulary.js';
import { formatTime, paint, printJson, printLine, visible } from '../output.js';
import { platformProbe, procRoot } from '../proc/index.js';
import { openDatabase } from '../store/open.js';
import { resolvePaths } from '../store/paths.js';
import { SCHEMA_VERSION } from '../store/schema.js';
import { agentHookReport } from './agents.js';
import { loginItemPlan } from './login-item.js';
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
  shell_snippet: Record<string, { file: string; present: boolean }>;
  login_item: { path: string | null; installed: boolean };
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

function fileHas(path: string, needle: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes(needle);
  } catch {
    return false;
  }
}

function examine(dbFlag: string | undefined): Report {
  const paths = resolvePaths(dbFlag);
  const problems: string[] = [];
  const warnings: string[] = [];
  const userHome = process.env['HOME'] || homedir();
  const report: Report = {
    platform: { name: process.platform, supported: false },
    boot: { id: null, source: null },
    proc_root: procRoot(),
    state_folder: { path: paths.home, exists: existsSync(paths.home), mode: modeOf(paths.home) },
    database: { path: paths.db, exists: existsSync(paths.db), mode: modeOf(paths.db), schema_version: null, known_schema_version: SCHEMA_VERSION, integrity: null },
    shell_snippet: Object.fromEntries(SHELLS.map((shell) => {
      const file = rcFile(shell, userHome);
      return [shell, { file, present: fileHas(file, SNIPPET_BEGIN) }];
    })),
    login_item: { path: null, installed: false },
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
      try {
        report.database.schema_version = db.pragma('user_version', { simple: true }) as number;
        report.database.integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).join('; ');
        if (report.database.integrity !== 'ok') problems.push(`integrity check of ${paths.db}: ${report.database.integrity}`);
        const get = db.prepare('SELECT value FROM kv WHERE key = ?').pluck();
        const bootId = (get.get(KV_RECONCILE_BOOT) as string | undefined) ?? null;
        const at = (get.get(KV_RECONCILE_AT) as string | undefined) ?? null;
        report.last_reconcile = { boot_id: bootId, at: at === null ? null : Number(at), this_boot: bootId !== null && bootId === report.boot.id };
      } finally {
        db.close();
      }
    } else if (!report.database.exists) {
      warnings.push(`no database yet at ${paths.db}: it is created by the first launch or track`);
    }
  } catch (error) {
    problems.push(error instanceof LifelineError ? error.message : `cannot read ${paths.db}: ${(error as Error).message}`);
  }

  try {
    const plan = loginItemPlan(dbFlag);
    report.login_item = { path: plan.path, installed: existsSync(plan.path) };
  } catch {
    // Unsupported platform: already a problem above.
  }
  if (!report.login_item.installed && !Object.values(report.shell_snippet).some((s) => s.present)) {
    warnings.push('nothing runs reconcile at boot: add `lifeline init <shell>` to your rc file or run `lifeline login-item install`');
  }
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
      printLine(`   login item     ${report.login_item.installed ? `installed (${report.login_item.path})` : 'not installed'}`);
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
