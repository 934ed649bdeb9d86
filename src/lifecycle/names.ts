import { basename } from 'node:path';
import { LifelineError } from '../errors.js';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

export function checkName(name: string | undefined): string {
  if (name === undefined || name === '') throw new LifelineError('usage', 'missing NAME');
  if (!isValidName(name)) {
    throw new LifelineError(
      'invalid-name',
      `invalid name ${JSON.stringify(name)}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  return name;
}

/** `claude` → `claude-1`, or the next number not already taken by a live row or a past one. */
export function defaultName(command: string, taken: ReadonlySet<string>): string {
  const base =
    basename(command)
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 56) || 'instance';
  for (let n = 1; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Optimal string alignment distance: like Levenshtein, but a swap of two neighbours costs one, as typos do. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The closest known names (up to three, all equally close): a prefix match or a small edit distance. */
export function closestNames(wanted: string, known: Iterable<string>): string[] {
  const lower = wanted.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const name of new Set(known)) {
    const candidate = name.toLowerCase();
    const distance = editDistance(lower, candidate);
    const prefix = candidate.startsWith(lower) || lower.startsWith(candidate);
    if (prefix || distance <= Math.max(2, Math.floor(lower.length / 3))) scored.push({ name, score: prefix ? Math.min(distance, 1) : distance });
  }
  const best = Math.min(...scored.map((entry) => entry.score));
  return scored
    .filter((entry) => entry.score === best)
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((entry) => entry.name);
}

export function unknownNameError(name: string, known: Iterable<string>, what = 'instance'): LifelineError {
  const close = closestNames(name, [...known].filter((other) => other !== name));
  const hint = close.length > 0 ? `; did you mean ${close.join(', ')}?` : '';
  return new LifelineError('unknown-name', `no ${what} named ${JSON.stringify(name)}${hint}`);
}
