import { LifelineError } from '../errors.js';
import type { LifelineContext } from './context.js';
import type { Binding } from './launch.js';
import { unknownNameError } from './names.js';

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
    const createdAtMs = ctx.now();
    for (const binding of bindings) ctx.store.addBinding(name, binding.kind, binding.value, createdAtMs);
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
