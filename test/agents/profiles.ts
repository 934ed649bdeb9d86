import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { AgentPackage } from './install.js';

/**
 * What the suite needs to know about each real agent, measured offline (versions pinned here):
 * how to seed a throwaway HOME so it skips its first-run screens and never updates itself, what it
 * shows when ready, and where it writes a session's transcript.
 */

export type AgentName = 'claude' | 'codex' | 'gemini';

/** All three show this while a turn runs (offline: while they retry the unreachable API). */
export const BUSY = /esc to (interrupt|cancel)/;

export interface AgentProfile extends AgentPackage {
  readonly name: AgentName;
  /** Text on screen once the prompt box takes input. */
  readonly readyText: string;
  /** The dummy key and switches the agent reads from its environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Folder under HOME where transcripts land. */
  readonly transcripts: string;
  /** Whether SessionStart (and so the `session` binding) waits for the first prompt. */
  readonly sessionAtFirstPrompt: boolean;
  /** Whether Escape during a turn puts the prompt back in the input box (to be erased before typing on). */
  readonly interruptRestoresPrompt: boolean;
  /** Writes the HOME an installed copy starts in without questions, trusting `projects`. */
  seed(home: string, projects: readonly string[], binDir: string, env: NodeJS.ProcessEnv): void;
  /** Whether a transcript file belongs to the session id. */
  transcriptOf(file: string, sessionId: string): boolean;
}

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

const CLAUDE_KEY = 'sk-ant-api03-lifeline-dummy-key-0000000000000000000000000000';
const CODEX_KEY = 'sk-proj-lifeline-dummy-key-00000000000000000000';
const GEMINI_KEY = 'AIzaSy-lifeline-dummy-key-000000000000000';

export const claude: AgentProfile = {
  name: 'claude',
  pkg: '@anthropic-ai/claude-code',
  version: '2.1.197',
  bin: 'claude',
  // Puts the platform's native binary in place of the bin stub (a local copy, no download).
  postinstall: 'install.cjs',
  readyText: 'for shortcuts',
  env: { ANTHROPIC_API_KEY: CLAUDE_KEY, DISABLE_AUTOUPDATER: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
  transcripts: '.claude/projects',
  sessionAtFirstPrompt: false,
  interruptRestoresPrompt: true,
  seed(home, projects) {
    mkdirSync(join(home, '.claude'), { recursive: true, mode: 0o700 });
    writeJson(join(home, '.claude.json'), {
      hasCompletedOnboarding: true,
      autoUpdates: false,
      customApiKeyResponses: { approved: [CLAUDE_KEY.slice(-20)], rejected: [] },
      projects: Object.fromEntries(projects.map((folder) => [folder, { hasTrustDialogAccepted: true }])),
    });
  },
  transcriptOf: (file, sessionId) => basename(file) === `${sessionId}.jsonl`,
};

export const codex: AgentProfile = {
  name: 'codex',
  pkg: '@openai/codex',
  version: '0.169.0',
  bin: 'codex',
  readyText: 'Ask Codex',
  env: {},
  transcripts: '.codex/sessions',
  sessionAtFirstPrompt: true,
  interruptRestoresPrompt: false,
  seed(home, projects, binDir, env) {
    const folder = join(home, '.codex');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const trust = projects.map((project) => `[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
    writeFileSync(join(folder, 'config.toml'), ['check_for_update_on_startup = false\n', ...trust].join('\n'), { mode: 0o600 });
    // Works offline: codex checks the key only when it sends a request.
    const login = spawnSync(join(binDir, 'codex'), ['login', '--with-api-key'], {
      env,
      input: CODEX_KEY,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (login.status !== 0) throw new Error(`codex login --with-api-key failed: ${login.stderr}${login.error ?? ''}`);
  },
  transcriptOf: (file, sessionId) => basename(file).startsWith('rollout-') && basename(file).endsWith(`-${sessionId}.jsonl`),
};

export const gemini: AgentProfile = {
  name: 'gemini',
  pkg: '@google/gemini-cli',
  version: '0.61.0',
  bin: 'gemini',
  readyText: 'Type your message',
  env: { GEMINI_API_KEY: GEMINI_KEY },
  transcripts: '.gemini/tmp',
  sessionAtFirstPrompt: false,
  interruptRestoresPrompt: false,
  seed(home, projects) {
    const folder = join(home, '.gemini');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeJson(join(folder, 'settings.json'), {
      security: { auth: { selectedType: 'gemini-api-key' } },
      // The default model router delays recording a prompt by about a minute offline.
      model: { name: 'gemini-2.5-flash' },
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false },
    });
    writeJson(join(folder, 'trustedFolders.json'), Object.fromEntries(projects.map((project) => [project, 'TRUST_FOLDER'])));
  },
  // gemini names the file by the first 8 characters of the id.
  transcriptOf: (file, sessionId) => /^session-.*\.jsonl$/.test(basename(file)) && basename(file).endsWith(`-${sessionId.slice(0, 8)}.jsonl`),
};

export const profiles: Readonly<Record<AgentName, AgentProfile>> = { claude, codex, gemini };
