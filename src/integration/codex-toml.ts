/**
 * lifeline's hook entries in codex's `config.toml`, edited as text: per entry one group table
 * `[[hooks.<Event>]]` holding one handler table `[[hooks.<Event>.hooks]]`, and its trust entry
 * `[hooks.state."<config path>:<event>:<group>:<handler>"]`, appended at the end of the file.
 *
 * codex writes into this file itself while the hook is installed (`[tui]` tables, appended at the
 * end, after lifeline's). So uninstall finds lifeline's tables by what they are — their keys and
 * values, with their source ranges from toml-eslint-parser — and removes exactly those lines (with
 * the blank line and the comment line install put before them), never a text range between two
 * comments: what codex or the user wrote before, between or after stays.
 */
import { createHash } from 'node:crypto';
import { parse as parseToml } from 'smol-toml';
import { type AST, getStaticTOMLValue, parseTOML } from 'toml-eslint-parser';
import { LifelineError } from '../errors.js';
import { type ConfigEdit, type HookEntry, type HookState, isLifelineHook } from './hook-entries.js';

/** The comment install puts above its group table; removed with it. */
export const TOML_COMMENT = '# lifeline agents install added this hook; lifeline agents uninstall removes it';
/** The same for a file that did not end with a line break: install added one, which uninstall takes back too. */
const TOML_COMMENT_EOL = '# lifeline agents install added this hook (and the line break before it); lifeline agents uninstall removes it';
/** The same in a file install created: uninstall removes the file when nothing else was written into it. */
const TOML_COMMENT_NEW = '# lifeline agents install created this file for this hook; lifeline agents uninstall removes it';

type Opening = 'plain' | 'line-break' | 'new-file';

const COMMENTS: Record<Opening, string> = { plain: TOML_COMMENT, 'line-break': TOML_COMMENT_EOL, 'new-file': TOML_COMMENT_NEW };

/** The marker lines of earlier versions around the same tables: removed as lines when those tables go. */
const LEGACY_BEGIN = '# >>> lifeline hook >>> (lifeline agents install/uninstall manage this block)';
const LEGACY_END = '# <<< lifeline hook <<<';

/** codex's snake_case name of an event in trust keys and hashes (`SessionStart` → `session_start`). */
function eventKey(event: string): string {
  return event.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Events codex gives a 1 s timeout when the hook sets none (measured on 0.169): their hash holds 1. */
const ONE_SECOND_EVENTS: ReadonlySet<string> = new Set(['Interrupt', 'SessionEnd']);

/**
 * codex's trust hash of a command hook (`command_hook_hash` in codex-rs/hooks discovery): SHA-256
 * of the compact JSON of the hook's normalized identity, keys sorted, with the timeout codex will
 * use: lifeline writes none, so codex's default for the event (600, or 1 for Interrupt and SessionEnd).
 */
export function codexTrustedHash(command: string, event = 'SessionStart'): string {
  const timeout = ONE_SECOND_EVENTS.has(event) ? 1 : 600;
  const identity = { event_name: eventKey(event), hooks: [{ async: false, command, timeout, type: 'command' }] };
  return `sha256:${createHash('sha256').update(JSON.stringify(identity)).digest('hex')}`;
}

/** codex's key of a hook's trust entry: the config file's path, the event, the group and handler index. */
export function codexTrustKey(configPath: string, group: number, handler = 0, event = 'SessionStart'): string {
  return `${configPath}:${eventKey(event)}:${group}:${handler}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The whole config as codex reads it; what is not TOML is refused untouched. */
function parseConfig(file: string, text: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new LifelineError('io', `cannot edit ${file}: it does not read as TOML (${(error as Error).message.split('\n')[0]}); lifeline leaves it untouched`);
  }
}

interface Handler {
  readonly group: number;
  readonly handler: number;
  readonly command: unknown;
}

/** The handlers of `hooks.<event>` by position, as codex numbers them in trust keys. */
function handlersOf(config: Record<string, unknown>, event: string): Handler[] {
  const hooks = isObject(config['hooks']) ? config['hooks'] : {};
  const groups = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
  return groups.flatMap((group, g) => {
    const handlers = isObject(group) && Array.isArray(group['hooks']) ? (group['hooks'] as unknown[]) : [];
    return handlers.map((handler, h) => ({ group: g, handler: h, command: isObject(handler) ? handler['command'] : undefined }));
  });
}

function trustedHashAt(config: Record<string, unknown>, key: string): unknown {
  const hooks = isObject(config['hooks']) ? config['hooks'] : {};
  const state = isObject(hooks['state']) ? hooks['state'] : {};
  const entry = state[key];
  return isObject(entry) ? entry['trusted_hash'] : undefined;
}

/** Whether every entry is there once, with its command, and trusted by codex. */
function codexState(config: Record<string, unknown>, configPath: string, entries: readonly HookEntry[]): { state: HookState; detail: string | null } {
  const ours = entries.map((entry) => handlersOf(config, entry.event).filter((h) => isLifelineHook(h.command, 'codex')));
  if (ours.every((found) => found.length === 0)) return { state: 'missing', detail: null };
  for (const [i, entry] of entries.entries()) {
    const found = ours[i]!;
    if (found.length === 0) return { state: 'stale', detail: `no lifeline hook for ${entry.event}` };
    if (found.length > 1) return { state: 'stale', detail: `${found.length} lifeline hooks where one belongs` };
    const [hook] = found as [Handler];
    if (hook.command !== entry.command) return { state: 'stale', detail: `it runs ${String(hook.command)}` };
    if (trustedHashAt(config, codexTrustKey(configPath, hook.group, hook.handler, entry.event)) !== codexTrustedHash(entry.command, entry.event)) {
      return { state: 'stale', detail: 'codex does not trust it yet (its trust entry is missing or old)' };
    }
  }
  return { state: 'installed', detail: null };
}

// --- lifeline's tables, found by what they are ---

type Span = readonly [start: number, end: number];

function keyName(key: AST.TOMLKey): string[] {
  return key.keys.map((part) => (part.type === 'TOMLBare' ? part.name : part.value));
}

function valuesOf(table: AST.TOMLTable): Map<string, unknown> {
  return new Map(table.body.map((kv) => [keyName(kv.key).join('.'), getStaticTOMLValue(kv.value)]));
}

function sameKey(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** The lines of [start, end): from the start of start's line to after end's line break. */
function lines(text: string, start: number, end: number): Span {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end);
  return [lineStart, lineEnd < 0 ? text.length : lineEnd + 1];
}

/** A table's lines, with the comment line and the one blank line install put before it. */
function tableSpan(text: string, node: AST.TOMLTable | AST.TOMLKeyValue, withComment: boolean): Span {
  let [start, end] = lines(text, node.range[0], node.range[1]);
  const comment = [...Object.values(COMMENTS), LEGACY_BEGIN].find((line) => text.slice(0, start).endsWith(`\n${line}\n`) || text.slice(0, start) === `${line}\n`);
  if (withComment && comment !== undefined) start -= comment.length + 1;
  if (start > 1 && text.slice(0, start).endsWith('\n\n')) start -= 1;
  if (withComment && comment === TOML_COMMENT_EOL && text[start - 1] === '\n') start -= 1;
  return [start, end];
}

/**
 * The spans of lifeline's tables for one event: each handler table of lifeline's, its group table
 * when the group holds nothing else, and the trust entry at its position.
 */
function ourSpans(file: string, text: string, configPath: string, event: string): Span[] {
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text);
  } catch (error) {
    throw new LifelineError('io', `cannot edit ${file}: it does not read as TOML (${(error as Error).message.split('\n')[0]}); lifeline leaves it untouched`);
  }
  const items = program.body[0]?.body ?? [];
  const tables = items.filter((item): item is AST.TOMLTable => item.type === 'TOMLTable');
  const spans: Span[] = [];
  for (const table of tables) {
    const key = table.resolvedKey;
    if (table.kind !== 'array' || key.length !== 5 || key[0] !== 'hooks' || key[1] !== event || key[3] !== 'hooks') continue;
    const values = valuesOf(table);
    if (values.get('type') !== 'command' || !isLifelineHook(values.get('command'), 'codex')) continue;
    const [group, handler] = [key[2] as number, key[4] as number];
    const groupKey = ['hooks', event, group];
    const groupTable = tables.find((t) => t.kind === 'array' && sameKey(t.resolvedKey, groupKey));
    const siblings = tables.filter((t) => t !== table && sameKey(t.resolvedKey.slice(0, 3), groupKey) && t.resolvedKey.length > 3);
    if (groupTable !== undefined && groupTable.body.length === 0 && siblings.length === 0) spans.push(tableSpan(text, groupTable, true));
    spans.push(tableSpan(text, table, false));
    const trustKey = codexTrustKey(configPath, group, handler, event);
    for (const other of tables) {
      if (other.kind === 'standard' && sameKey(other.resolvedKey, ['hooks', 'state', trustKey]) && other.body.every((kv) => sameKey(keyName(kv.key), ['trusted_hash']))) {
        spans.push(tableSpan(text, other, false));
      }
      // The same entry as a key of a `[hooks.state]` table: only that line goes.
      if (other.kind === 'standard' && sameKey(other.resolvedKey, ['hooks', 'state'])) {
        for (const kv of other.body) if (sameKey(keyName(kv.key), [trustKey])) spans.push(lines(text, kv.range[0], kv.range[1]));
      }
    }
  }
  if (spans.length > 0) {
    // A comment the parser saw (never text inside a multi-line string), alone on its line.
    for (const comment of program.comments) {
      const [start, end] = lines(text, comment.range[0], comment.range[1]);
      if (text.slice(start, end).replace(/\n$/, '') === LEGACY_END) spans.push([start, end]);
    }
  }
  return spans;
}

function removeSpans(text: string, spans: readonly Span[]): string {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of sorted) {
    if (end <= at) continue;
    out += text.slice(at, Math.max(at, start));
    at = end;
  }
  return out + text.slice(at);
}

/** A TOML basic string: JSON's escapes are TOML's, plus DEL, which TOML wants escaped too. */
function tomlString(text: string): string {
  return JSON.stringify(text).replace(/\u007f/g, '\\u007F');
}

function block(configPath: string, entry: HookEntry, group: number, opening: Opening): string {
  return [
    COMMENTS[opening],
    `[[hooks.${entry.event}]]`,
    `[[hooks.${entry.event}.hooks]]`,
    'type = "command"',
    `command = ${tomlString(entry.command)}`,
    '',
    `[hooks.state.${tomlString(codexTrustKey(configPath, group, 0, entry.event))}]`,
    `trusted_hash = "${codexTrustedHash(entry.command, entry.event)}"`,
    '',
  ].join('\n');
}

/** The text with the entry's tables appended; a blank line before them unless the file is empty. */
function append(text: string, configPath: string, entry: HookEntry, newFile: boolean): string {
  // Appended last, so its group index is the number of groups before it. A text an earlier entry's
  // tables made invalid (the user's inline `hooks.X = [...]`) counts none: the check after all
  // entries refuses it with the block to paste.
  let hooks: unknown;
  try {
    hooks = (parseToml(text) as Record<string, unknown>)['hooks'];
  } catch {
    hooks = undefined;
  }
  const groups = isObject(hooks) ? hooks[entry.event] : undefined;
  const separator = text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  const opening: Opening = newFile ? 'new-file' : separator === '\n\n' ? 'line-break' : 'plain';
  return text + separator + block(configPath, entry, Array.isArray(groups) ? groups.length : 0, opening);
}

export function editCodexToml(file: string, configPath: string, text: string | null, entries: readonly HookEntry[], install: boolean): ConfigEdit {
  const original = text ?? '';
  const { state, detail } = codexState(parseConfig(file, original), configPath, entries);
  if (install ? state === 'installed' : state === 'missing') return { state, after: null, detail, remove: false };
  // Every entry's spans are found in the same text and removed at once: removed one entry after the
  // other, the blank line install put before a later block would lose the text before it that shows
  // it is one of install's, and stay.
  const stripped = removeSpans(original, entries.flatMap((entry) => ourSpans(file, original, configPath, entry.event)));
  const userConfig = parseConfig(file, stripped);
  if (entries.some((entry) => handlersOf(userConfig, entry.event).some((h) => isLifelineHook(h.command, 'codex')))) {
    throw new LifelineError('io', `${file} has a lifeline hook written in a form lifeline did not write (not its own tables); remove it by hand, then run this again`);
  }
  if (!install) return { state, after: stripped, detail, remove: stripped === '' && original.startsWith(TOML_COMMENT_NEW) };
  const after = entries.reduce((current, entry) => append(current, configPath, entry, current === '' && (text === null || original.startsWith(TOML_COMMENT_NEW))), stripped);
  // The user's file may define hooks in a shape an appended table cannot extend (an inline array):
  // check that codex will read exactly our hooks, trusted, before writing anything.
  let check: HookState | null = null;
  try {
    check = codexState(parseToml(after) as Record<string, unknown>, configPath, entries).state;
  } catch {
    check = null;
  }
  if (check !== 'installed') {
    const paste = entries.map((entry) => block(configPath, entry, 0, 'plain')).join('\n');
    throw new LifelineError('io', `cannot add lifeline's hook to ${file}: its hooks are written in a form lifeline cannot append to; add this by hand (the trust key's group index is the hook's position):\n${paste}`);
  }
  return { state, after, detail, remove: false };
}
