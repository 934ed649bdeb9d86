/**
 * Whether an agent has a transcript for a session id, found by the id itself — never by a folder
 * name derived from the cwd (claude turns every non-alphanumeric character of the path into `-`,
 * and shortens long ones). An agent writes its transcript at the first prompt; a session that
 * never got one cannot be resumed. The answer is `absent` only when lifeline is sure: the agent's
 * session folder exists, could be read, and holds nothing for the id. Anything else is `unknown`,
 * and an unknown transcript is resumed (the agent then says what it knows).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { agentFolder } from './homes.js';
import type { AgentName } from './known.js';

export type TranscriptState = 'present' | 'absent' | 'unknown';

/** true / false, or null when it cannot be told (a folder on the way may not be searched). */
function isFile(path: string): boolean | null {
  try {
    return statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? false : null;
  }
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Session ids are UUIDs; anything else would be a path, and is never looked up. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{7,63}$/;

/** Collects answers of many places: any present wins, any unreadable place makes "absent" unsure. */
class Search {
  private unsure = false;
  private found = false;

  /**
   * The entries of a folder on the way. One that cannot be read makes the search unsure; one that
   * does not exist holds nothing (the agent's own folder was seen to exist first).
   */
  folder(path: string): string[] {
    try {
      return readdirSync(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTDIR' && code !== 'ENOENT') this.unsure = true;
      return [];
    }
  }

  markFound(): void {
    this.found = true;
  }

  markUnsure(): void {
    this.unsure = true;
  }

  get state(): TranscriptState {
    if (this.found) return 'present';
    return this.unsure ? 'unknown' : 'absent';
  }
}

/** claude: `<dir>/projects/<folder for the cwd>/<id>.jsonl`. */
function claudeTranscript(dir: string, id: string): TranscriptState {
  const search = new Search();
  const projects = join(dir, 'projects');
  for (const project of search.folder(projects)) {
    const found = isFile(join(projects, project, `${id}.jsonl`));
    if (found === true) search.markFound();
    else if (found === null) search.markUnsure();
  }
  return search.state;
}

/** codex: `<dir>/sessions/YYYY/MM/DD/rollout-<time>-<id>.jsonl` (and archived ones). */
function codexTranscript(dir: string, id: string): TranscriptState {
  const search = new Search();
  const suffix = `-${id}.jsonl`;
  const sessions = join(dir, 'sessions');
  for (const year of search.folder(sessions)) {
    for (const month of search.folder(join(sessions, year))) {
      for (const day of search.folder(join(sessions, year, month))) {
        if (search.folder(join(sessions, year, month, day)).some((f) => f.startsWith('rollout-') && f.endsWith(suffix))) search.markFound();
      }
    }
  }
  if (search.folder(join(dir, 'archived_sessions')).some((f) => f.endsWith(suffix))) search.markFound();
  return search.state;
}

/** The text of a gemini message's content: a string, or a list of parts with `text`. */
function geminiText(content: unknown): string {
  if (typeof content === 'string') return content;
  const parts = Array.isArray(content) ? content : [content];
  return parts.map((part) => (typeof part === 'string' ? part : typeof (part as { text?: unknown })?.text === 'string' ? (part as { text: string }).text : '')).join('');
}

/**
 * Whether gemini would resume from this message, as gemini 0.61 decides it: a user message that is
 * not empty, a slash command, `?`, or the context gemini itself writes at start
 * (`<session_context>`, `<hook_context>`); or a reply of the model.
 */
function isResumableGeminiMessage(record: unknown): boolean {
  if (typeof record !== 'object' || record === null) return false;
  const message = record as { type?: unknown; content?: unknown; toolCalls?: unknown[]; thoughts?: unknown[] };
  const text = geminiText(message.content).trim();
  if (message.type === 'user') return !(text === '' || /^(\/|\?|<session_context>|<hook_context>)/.test(text));
  if (message.type === 'gemini') return text !== '' || (message.toolCalls?.length ?? 0) > 0 || (message.thoughts?.length ?? 0) > 0;
  return false;
}

/** The messages of a gemini chat file: `.jsonl` records (a `$set` of `messages` replaces them), or the older single JSON. */
function geminiMessages(path: string, text: string): unknown[] {
  if (!path.endsWith('.jsonl')) {
    const whole = JSON.parse(text) as { messages?: unknown };
    return Array.isArray(whole.messages) ? whole.messages : [];
  }
  let messages: unknown[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { $set?: { messages?: unknown }; type?: unknown; id?: unknown };
    if (Array.isArray(record.$set?.messages)) messages = [...record.$set.messages];
    else if (typeof record.type === 'string' && record.id !== undefined) messages.push(record);
  }
  return messages;
}

/**
 * A gemini chat file of this session: `present` when gemini could resume it, `absent` when it was
 * read whole and holds nothing to resume (gemini writes the file, with its own context message, at
 * start), `unknown` when it is too large or not what we expect.
 */
function geminiChat(path: string, id: string): TranscriptState | null {
  let text: string;
  try {
    if (statSync(path).size > 64 * 1024 * 1024) return 'unknown';
    text = readFileSync(path, 'utf8');
  } catch {
    return 'unknown';
  }
  if (!text.includes(id)) return null; // Another session with the same first 8 characters.
  try {
    return geminiMessages(path, text).some(isResumableGeminiMessage) ? 'present' : 'absent';
  } catch {
    return 'unknown'; // A file being written, or a format we do not know: unsure.
  }
}

/** gemini: `<dir>/tmp/<project>/chats/session-<time>-<first 8 of id>.json[l]`. */
function geminiTranscript(dir: string, id: string): TranscriptState {
  const search = new Search();
  const short = id.slice(0, 8);
  const tmp = join(dir, 'tmp');
  for (const project of search.folder(tmp)) {
    const chats = join(tmp, project, 'chats');
    for (const file of search.folder(chats)) {
      if (!file.startsWith('session-') || !(file.endsWith(`-${short}.jsonl`) || file.endsWith(`-${short}.json`))) continue;
      const state = geminiChat(join(chats, file), id);
      if (state === 'present') search.markFound();
      else if (state === 'unknown') search.markUnsure();
    }
  }
  return search.state;
}

/** Whether `agent` has a transcript for session `id`, looked up in its folder (see homes.ts). */
export function transcriptState(agent: AgentName, id: string, env: NodeJS.ProcessEnv = process.env): TranscriptState {
  if (!SAFE_ID.test(id)) return 'unknown';
  const dir = agentFolder(agent, env);
  // No folder at all: perhaps the agent ran with another HOME or config variable than lifeline sees.
  if (!isFolder(dir)) return 'unknown';
  switch (agent) {
    case 'claude':
      return claudeTranscript(dir, id);
    case 'codex':
      return codexTranscript(dir, id);
    case 'gemini':
      return geminiTranscript(dir, id);
  }
}
