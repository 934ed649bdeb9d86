import { LifelineError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { LifelineContext } from './context.js';
import { unknownNameError } from './names.js';

/** One binding of an instance: a kind (`session`, `tmux`, `port`, …) and its value. */
export interface Binding {
  readonly kind: string;
  readonly value: string;
}

const KIND_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/;

/** `KIND=VALUE` → a binding. The kind is a short word; the value is free text (a session id, a port). */
export function parseBinding(text: string): Binding {
  const eq = text.indexOf('=');
  const kind = eq < 0 ? text : text.slice(0, eq);
  if (eq < 0 || !KIND_PATTERN.test(kind)) {
    throw new LifelineError('usage', `expected KIND=VALUE with KIND a word (letters, digits, '.', '_', '-'), got ${JSON.stringify(text)}`);
  }
  return { kind, value: text.slice(eq + 1) };
}

/** `KIND` or `KIND=VALUE`, for unbind. */
export function parseBindingFilter(text: string): { kind: string; value: string | null } {
  if (text.includes('=')) return parseBinding(text);
  if (!KIND_PATTERN.test(text)) throw new LifelineError('usage', `expected KIND or KIND=VALUE, got ${JSON.stringify(text)}`);
  return { kind: text, value: null };
}

/**
 * Kinds that hold one value at a time: a new one replaces the old. An agent runs one session at a
 * time, and after `/clear` it has a new one; every other kind (tmux, port, …) may hold several.
 */
export const SINGLE_VALUED_KINDS: ReadonlySet<string> = new Set(['session']);

/** Writes bindings in order, inside the caller's transaction; a single-valued kind keeps only its newest value. */
export function writeBindings(store: Store, name: string, bindings: readonly Binding[], createdAtMs: number): void {
  for (const binding of bindings) {
    if (SINGLE_VALUED_KINDS.has(binding.kind)) store.removeBindings(name, binding.kind, null);
    store.addBinding(name, binding.kind, binding.value, createdAtMs);
  }
}

/**
 * The bindings of a resume: the recorded ones, with every kind the user gave (`r --bind`)
 * replaced by the given values.
 */
export function overrideBindings(recorded: readonly Binding[], given: readonly Binding[]): Binding[] {
  const givenKinds = new Set(given.map((binding) => binding.kind));
  return [...recorded.filter((binding) => !givenKinds.has(binding.kind)), ...given];
}

/** Bindings belong to registered instances; a stopped one is named as such, an unknown one gets the close names. */
function requireInstance(ctx: LifelineContext, name: string): void {
  if (ctx.store.getInstance(name) !== null) return;
  if (ctx.store.latestEvent(name, 'life.stopped') !== null) {
    throw new LifelineError('unknown-name', `${name} is not running (stopped); bindings belong to running instances, and lifeline r ${name} brings it back`);
  }
  throw unknownNameError(name, ctx.store.knownNames());
}

export function bind(ctx: LifelineContext, name: string, bindings: readonly Binding[]): void {
  ctx.store.writeTransaction(() => {
    requireInstance(ctx, name);
    writeBindings(ctx.store, name, bindings, ctx.now());
  });
}

export function unbind(ctx: LifelineContext, name: string, filters: readonly { kind: string; value: string | null }[]): number {
  return ctx.store.writeTransaction(() => {
    requireInstance(ctx, name);
    let removed = 0;
    for (const filter of filters) removed += ctx.store.removeBindings(name, filter.kind, filter.value);
    return removed;
  });
}
