/**
 * lifeline's hook entries in a JSON `settings.json` (claude, gemini: `hooks.<Event>[].hooks[]`),
 * edited as text. The file is parsed only to learn where things are (jsonc-parser's tree has the
 * offsets; gemini accepts comments, so they are read too); every change is one inserted or removed
 * span, so everything else keeps its bytes: `1.0`, `1e3`, `\/`, big integers, comments, layout.
 *
 * Removal is the exact inverse of insertion, found from the text alone:
 * - an entry added to a list or object that had items goes after the last one, as `,` + the
 *   container's own separator + the entry; it is removed with the separator before it;
 * - an entry added to an empty container goes directly after its `[` or `{`, so the container's
 *   own inside (`[ ]`, `[\n]`) stays behind it and comes back when the entry goes;
 * - a container lifeline creates (`"hooks"`, `"SessionStart"`, the whole file) is laid out with
 *   whitespace after its opening bracket, which an entry added to the user's empty container never
 *   has: so when lifeline's entry is all it holds, uninstall knows to remove the container too, and
 *   leaves the user's own `"SessionStart": []` alone.
 */
import { type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { AgentName } from '../agents/known.js';
import { LifelineError } from '../errors.js';
import { type ConfigEdit, type HookEntry, type HookState, isLifelineHook } from './hook-entries.js';

/** A value to write, in the order its keys should appear. */
type Value = string | Value[] | { [key: string]: Value };

/** A handler of lifeline's found in the file. */
interface Found {
  readonly event: string;
  readonly command: string;
  /** The handler object, an element of its group's `hooks` list. */
  readonly handler: Node;
  /** The group object, an element of `hooks.<event>`. */
  readonly group: Node;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** The parsed root object, or null for an empty file; what is not one JSON object is refused. */
function parseRoot(file: string, text: string): Node | null {
  if (text.trim() === '') return null;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: false, allowTrailingComma: false });
  const [first] = errors;
  if (first !== undefined) {
    throw new LifelineError('io', `cannot edit ${file}: it is not valid JSON (${printParseErrorCode(first.error)} at ${lineAndColumn(text, first.offset)}); lifeline leaves it untouched`);
  }
  if (root?.type !== 'object') throw new LifelineError('io', `cannot edit ${file}: it does not hold a JSON object; lifeline leaves it untouched`);
  return root;
}

function keyOf(property: Node): unknown {
  return property.children?.[0]?.value;
}

function valueOf(property: Node): Node | undefined {
  return property.children?.[1];
}

/**
 * The one property `key` of an object. Two of them are refused: the agent's JSON reader keeps the
 * last, jsonc-parser's tree shows both, and an edit of either would change what the agent reads.
 */
function member(file: string, object: Node, key: string, where: string): Node | null {
  const found = (object.children ?? []).filter((property) => keyOf(property) === key);
  if (found.length > 1) throw new LifelineError('io', `cannot edit ${file}: the key ${JSON.stringify(`${where}${key}`)} appears ${found.length} times; lifeline leaves it untouched`);
  return found[0] ?? null;
}

/** `hooks.<event>` as the user has it: the hooks object and the event's list, each when present. */
function eventList(file: string, root: Node, event: string): { hooks: Node | null; list: Node | null } {
  const hooksProperty = member(file, root, 'hooks', '');
  if (hooksProperty === null) return { hooks: null, list: null };
  const hooks = valueOf(hooksProperty);
  if (hooks?.type !== 'object') throw new LifelineError('io', `cannot edit ${file}: "hooks" is not an object; lifeline leaves it untouched`);
  const listProperty = member(file, hooks, event, 'hooks.');
  if (listProperty === null) return { hooks, list: null };
  const list = valueOf(listProperty);
  if (list?.type !== 'array') throw new LifelineError('io', `cannot edit ${file}: "hooks.${event}" is not a list; lifeline leaves it untouched`);
  return { hooks, list };
}

/** lifeline's handlers in `hooks.<event>`: `{"type": "command", "command": <lifeline's hook>}` in a group's `hooks`. */
function findOurs(file: string, root: Node | null, agent: AgentName, event: string): Found[] {
  if (root === null) return [];
  const { list } = eventList(file, root, event);
  const found: Found[] = [];
  for (const group of list?.children ?? []) {
    if (group.type !== 'object') continue;
    const handlers = member(file, group, 'hooks', `hooks.${event}[].`);
    const handlerList = handlers === null ? undefined : valueOf(handlers);
    if (handlerList?.type !== 'array') continue;
    for (const handler of handlerList.children ?? []) {
      if (handler.type !== 'object') continue;
      const commands = (handler.children ?? []).filter((property) => keyOf(property) === 'command');
      const command = commands.length === 1 ? valueOf(commands[0]!)?.value : undefined;
      if (typeof command === 'string' && isLifelineHook(command, agent)) found.push({ event, command, handler, group });
    }
  }
  return found;
}

function stateOf(found: readonly Found[], entries: readonly HookEntry[]): { state: HookState; detail: string | null } {
  if (found.length === 0) return { state: 'missing', detail: null };
  for (const entry of entries) {
    const ours = found.filter((f) => f.event === entry.event);
    if (ours.length > 1) return { state: 'stale', detail: `${ours.length} lifeline hooks where one belongs (${entry.event})` };
    if (ours.length === 0) return { state: 'stale', detail: `no lifeline hook for ${entry.event}` };
    if (ours[0]!.command !== entry.command) return { state: 'stale', detail: `it runs ${ours[0]!.command}` };
  }
  return { state: 'installed', detail: null };
}

// --- layout ---

function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/** The file's indent step (the first indented line's, else two spaces) and line break (`\r\n` in a CRLF file). */
interface Layout {
  readonly unit: string;
  readonly eol: string;
}

function layoutOf(text: string): Layout {
  return { unit: /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ', eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/**
 * A value as text. Multi-line: one item a line, nested by `unit` from `indent` (the indent of the
 * line it starts on). One line: `{ "a": [ "b" ] }` — a space inside each bracket, so a container
 * lifeline creates always has whitespace after its opening bracket.
 */
function render(value: Value, indent: string, layout: Layout, multiLine: boolean): string {
  if (typeof value === 'string') return JSON.stringify(value);
  const isList = Array.isArray(value);
  const inner = indent + layout.unit;
  const items = isList
    ? value.map((item) => render(item, inner, layout, multiLine))
    : Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${render(item, inner, layout, multiLine)}`);
  const [open, close] = isList ? ['[', ']'] : ['{', '}'];
  const eol = layout.eol;
  return multiLine ? `${open}${eol}${inner}${items.join(`,${eol}${inner}`)}${eol}${indent}${close}` : `${open} ${items.join(', ')} ${close}`;
}

interface Insertion {
  readonly offset: number;
  readonly text: string;
}

/** `item` (a property `"key": value`, or a list element when `key` is null) added at the end of `container`. */
function insertInto(text: string, container: Node, key: string | null, value: Value): Insertion {
  const layout = layoutOf(text);
  const children = container.children ?? [];
  const last = children.at(-1);
  const asText = (indent: string, multiLine: boolean): string => `${key === null ? '' : `${JSON.stringify(key)}: `}${render(value, indent, layout, multiLine)}`;
  if (last === undefined) {
    // Directly after the bracket: the user's empty container keeps its own inside behind the entry.
    const multiLine = text.includes('\n');
    return { offset: container.offset + 1, text: asText(lineIndent(text, container.offset), multiLine) };
  }
  const multiLine = text.slice(container.offset, container.offset + container.length).includes('\n');
  const indent = multiLine ? lineIndent(text, last.offset) : lineIndent(text, container.offset);
  return { offset: last.offset + last.length, text: `,${multiLine ? `${layout.eol}${indent}` : ' '}${asText(indent, multiLine)}` };
}

function ourGroup(command: string): Value {
  return { hooks: [{ type: 'command', command }] };
}

/**
 * The text with one entry added for `entry`: into the list, or with the containers it needs. A new
 * file gets the object and a line break; an empty (or blank) file keeps its bytes before the object
 * and gets no line break, so uninstall can tell the two apart and give back the empty file.
 */
function insertEntry(file: string, text: string, entry: HookEntry, newFile: boolean): string {
  const root = parseRoot(file, text);
  if (root === null) return `${text}${render({ hooks: { [entry.event]: [ourGroup(entry.command)] } }, '', layoutOf(text), true)}${newFile ? '\n' : ''}`;
  const { hooks, list } = eventList(file, root, entry.event);
  const insertion =
    list !== null
      ? insertInto(text, list, null, ourGroup(entry.command))
      : hooks !== null
        ? insertInto(text, hooks, entry.event, [ourGroup(entry.command)])
        : insertInto(text, root, 'hooks', { [entry.event]: [ourGroup(entry.command)] });
  return text.slice(0, insertion.offset) + insertion.text + text.slice(insertion.offset);
}

/** Whether the text between a container's opening bracket and its first item is not empty: lifeline created it. */
function laidOutByLifeline(text: string, container: Node, first: Node): boolean {
  return first.offset > container.offset + 1 && text.slice(container.offset + 1, first.offset).trim() === '';
}

/** The item (an element or a property) with the separator that was added with it. */
function spanOf(item: Node): { start: number; end: number } {
  const siblings = item.parent?.children ?? [];
  const index = siblings.indexOf(item);
  const before = siblings[index - 1];
  const after = siblings[index + 1];
  if (before !== undefined) return { start: before.offset + before.length, end: item.offset + item.length };
  if (after !== undefined) return { start: item.offset, end: after.offset };
  return { start: item.offset, end: item.offset + item.length };
}

/** The only child of `container` that lifeline laid out itself, else null. */
function soleCreated(text: string, container: Node | undefined, child: Node): boolean {
  const children = container?.children ?? [];
  return container !== undefined && children.length === 1 && children[0] === child && laidOutByLifeline(text, container, child);
}

/** The text without one handler of lifeline's, and without any container that held only it and that lifeline created. */
function removeFound(text: string, found: Found): string {
  const handlerList = found.handler.parent!;
  const groupKeys = (found.group.children ?? []).map(keyOf);
  // A group of lifeline's shape (only `hooks`, only this handler) goes whole; in the user's group only the handler goes.
  let item: Node = handlerList.children!.length === 1 && groupKeys.length === 1 ? found.group : found.handler;
  if (item === found.group) {
    const list = found.group.parent!;
    const listProperty = list.parent!;
    if (soleCreated(text, list, found.group)) {
      item = listProperty;
      const hooks = listProperty.parent!;
      const hooksProperty = hooks.parent!;
      if (soleCreated(text, hooks, listProperty)) {
        item = hooksProperty;
        const root = hooksProperty.parent!;
        if (soleCreated(text, root, hooksProperty)) {
          // The whole object is lifeline's: what install wrote into an empty file.
          return text.slice(0, root.offset) + text.slice(root.offset + root.length).replace(/^\n/, '');
        }
      }
    }
  }
  const { start, end } = spanOf(item);
  return text.slice(0, start) + text.slice(end);
}

function removeAll(file: string, text: string, agent: AgentName, events: readonly string[]): string {
  let current = text;
  for (const event of events) {
    for (;;) {
      const [first] = findOurs(file, parseRoot(file, current), agent, event);
      if (first === undefined) break;
      current = removeFound(current, first);
    }
  }
  return current;
}

/**
 * What install (or uninstall) makes of the settings text: `after` null when nothing changes, and
 * `remove` when what is left is nothing (a file install created). Install over a stale entry removes
 * it first, then adds the current one.
 */
export function editJsonSettings(agent: AgentName, file: string, text: string | null, entries: readonly HookEntry[], install: boolean): ConfigEdit {
  const original = text ?? '';
  const root = parseRoot(file, original);
  const found = entries.flatMap((entry) => findOurs(file, root, agent, entry.event));
  const { state, detail } = stateOf(found, entries);
  if (install ? state === 'installed' : state === 'missing') return { state, after: null, detail, remove: false };
  const stripped = removeAll(file, original, agent, entries.map((entry) => entry.event));
  // Only the object lifeline wrote into a new file is followed by a line break (see insertEntry).
  if (!install) return { state, after: stripped, detail, remove: stripped === '' && original.endsWith('\n') };
  const after = entries.reduce((current, entry) => insertEntry(file, current, entry, current === '' && (text === null || original.endsWith('\n'))), stripped);
  return { state, after, detail, remove: false };
}
