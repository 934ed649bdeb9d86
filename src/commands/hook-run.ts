/**
 * `lifeline hook <agent>`: what an agent's SessionStart hook runs, and its turn hooks (a prompt
 * submitted, a turn's end, a permission prompt: `hook_event_name` in the payload says which, and
 * src/agents/known.ts which state it means). The agent waits for it and reads
 * its stdout (claude and codex feed it to the model, gemini parses it as JSON), so it prints nothing
 * on stdout, always exits 0, and stays quick: cli.ts loads this module alone (its own bundle),
 * without citty, consola or the other commands. Whatever it refused or failed goes to
 * `logs/hook.log` in the state folder when that is usable.
 */
import { closeSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AGENTS, isAgentName } from '../agents/known.js';
import { isPlausibleSessionId, recordAgentSession } from '../lifecycle/returning/agent-session.js';
import { createContext, type LifelineContext } from '../lifecycle/context.js';
import { recordTurn, turnOfEvent } from '../lifecycle/turns/turn.js';
import { DB_ENV, MARKER_ENV } from '../lifecycle/vocabulary.js';
import { platformProbe } from '../proc/index.js';
import { ensurePrivateFolder, openPrivateFile } from '../store/files.js';
import { openDatabase } from '../store/open.js';
import { resolvePaths, type StatePaths } from '../store/paths.js';
import { Store } from '../store/store.js';

const STDIN_TIMEOUT_MS = 5_000;

interface HookWords {
  readonly agent: string;
  readonly db: string | undefined;
}

function parseWords(words: readonly string[]): HookWords {
  let agent = '?';
  let db: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '--db') db = words[++i];
    else if (word.startsWith('--db=')) db = word.slice(5);
    else if (!word.startsWith('-') && agent === '?') agent = word;
  }
  return { agent, db };
}

/** The hook's JSON from the agent; '' when stdin is a terminal or nothing came in time. */
function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return Promise.resolve('');
  return new Promise((resolve) => {
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      process.stdin.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, STDIN_TIMEOUT_MS);
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 1024 * 1024) done();
    });
    process.stdin.on('end', done);
    process.stdin.on('error', done);
  });
}

/** Appends one line to logs/hook.log, only inside an existing state folder that is ours. */
function logProblem(paths: StatePaths | null, agent: string, message: string): void {
  if (paths === null) return;
  try {
    const home = statSync(paths.home);
    if (!home.isDirectory() || home.uid !== process.getuid?.()) return;
    ensurePrivateFolder(paths.logs);
    const fd = openPrivateFile(join(paths.logs, 'hook.log'), 'a');
    try {
      writeSync(fd, `${new Date().toISOString()} hook ${agent}: ${message.replace(/[\u0000-\u001f\u007f]/g, ' ')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Nowhere to say it: the hook still ends quietly.
  }
}

type Recorded = { readonly problem: string | null; readonly found: boolean };

type Payload = Readonly<Record<string, unknown>>;

function recordSession(ctx: LifelineContext, marker: string, agent: string, sessionId: string, payload: Payload, db: string): Recorded {
  const source = typeof payload['source'] === 'string' ? payload['source'] : undefined;
  const record = recordAgentSession(ctx, marker, { agent, sessionId, source, hookPid: process.pid });
  if (record.kind === 'no-instance') return { problem: `no instance with marker ${marker} in ${db} (session ${sessionId})`, found: false };
  if (record.kind === 'nested') return { problem: `session ${sessionId} (${source ?? 'no source'}) not recorded: ${record.why}`, found: true };
  return { problem: null, found: true };
}

function recordTurnEvent(ctx: LifelineContext, marker: string, agent: string, sessionId: string, payload: Payload, db: string): Recorded {
  const event = String(payload['hook_event_name']);
  const turn = isAgentName(agent) ? turnOfEvent(AGENTS[agent], payload) : null;
  // Not a problem when the event has another notification type (claude's auth_success): it is no turn's.
  if (turn === null) return { problem: payload['notification_type'] === undefined ? `${event} moves no turn state of ${agent}` : null, found: true };
  const record = recordTurn(ctx, marker, { agent, event, sessionId, turn });
  if (record.kind === 'no-instance') return { problem: `no instance with marker ${marker} in ${db} (${event} of session ${sessionId})`, found: false };
  // A nested agent's turns are expected and many: ignored without a word. What is set up wrong is logged.
  if (record.kind === 'refused') return { problem: `${event} not recorded: ${record.why}`, found: true };
  return { problem: null, found: true };
}

function recordFromPayload(paths: StatePaths, marker: string, agent: string, text: string): Recorded {
  let payload: Payload;
  try {
    payload = JSON.parse(text) as Payload;
  } catch {
    return { problem: `the hook input is not JSON (${text.length} bytes)`, found: true };
  }
  if (typeof payload !== 'object' || payload === null) return { problem: `the hook input is not a JSON object`, found: true };
  const sessionId = payload['session_id'];
  if (!isPlausibleSessionId(sessionId)) return { problem: `no usable session_id in the hook input`, found: true };
  const db = openDatabase(paths.db, 'write-existing'); // Never creates a database.
  if (db === null) return { problem: `no registry at ${paths.db}`, found: false };
  const store = new Store(db);
  try {
    const ctx = createContext(store, platformProbe());
    // A payload without an event name is a SessionStart's, as every hook lifeline installed before the turn hooks was.
    const event = payload['hook_event_name'];
    return event === undefined || event === 'SessionStart'
      ? recordSession(ctx, marker, agent, sessionId, payload, paths.db)
      : recordTurnEvent(ctx, marker, agent, sessionId, payload, paths.db);
  } finally {
    store.close();
  }
}

/**
 * The registries that may hold the instance, the launch's own first: `LIFELINE_DB` when the launch
 * chose one (lifeline sets it in the program), else the default one of the environment the program
 * inherited, which is the one its launch used. The `--db` the hook was installed with comes last.
 */
function candidateRegistries(installedDb: string | undefined): StatePaths[] {
  const launched = process.env[DB_ENV];
  if (launched !== undefined && launched !== '') return [resolvePaths(launched)];
  const fallback = installedDb === undefined ? [] : [resolvePaths(installedDb)];
  return [resolvePaths(undefined), ...fallback.filter((paths) => paths.db !== resolvePaths(undefined).db)];
}

/** Records the session or the turn the hook reports; always resolves to 0. */
export async function runHook(words: readonly string[]): Promise<number> {
  const marker = process.env[MARKER_ENV];
  if (marker === undefined || marker === '') return 0; // Not an agent lifeline launched: nothing to do.
  const { agent, db } = parseWords(words);
  let paths: StatePaths | null = null;
  try {
    const input = await readStdin();
    let outcome: Recorded = { problem: null, found: false };
    for (const candidate of candidateRegistries(db)) {
      paths = candidate;
      outcome = recordFromPayload(candidate, marker, agent, input);
      if (outcome.found) break;
    }
    if (outcome.problem !== null) logProblem(paths, agent, outcome.problem);
  } catch (error) {
    logProblem(paths, agent, error instanceof Error ? error.message : String(error));
  }
  return 0;
}
