import { LifelineError } from '../../errors.js';

/**
 * Splits a command template the way a POSIX shell splits words: single quotes keep everything,
 * double quotes allow `\"`, `\\`, `\$` and `` \` `` escapes, a backslash outside quotes escapes the
 * next character. No expansion of any kind happens: the words are stored as they are.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new LifelineError('usage', `unterminated ' in ${JSON.stringify(text)}`);
      current += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new LifelineError('usage', `unterminated " in ${JSON.stringify(text)}`);
        const inner = text[i]!;
        if (inner === '"') break;
        if (inner === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) {
          current += text[i + 1];
          i += 2;
        } else {
          current += inner;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (ch === '\\') {
      if (i + 1 < text.length) current += text[i + 1];
      inWord = true;
      i += 2;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      i++;
    } else {
      current += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(current);
  return words;
}

const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;

/**
 * Fills `{name}`, `{cwd}` and `{<binding kind>}` (e.g. `{session}`) in every word of a template.
 * A placeholder with no value is an error that names it: resuming with a hole in the command line
 * would start a fresh session and lose the old one silently.
 */
export function fillTemplate(template: readonly string[], values: ReadonlyMap<string, string>): string[] {
  return template.map((word) =>
    word.replace(PLACEHOLDER, (_match, key: string) => {
      const value = values.get(key);
      if (value === undefined) {
        throw new LifelineError('missing-binding', `the resume template needs {${key}}, but the instance has no ${key} binding`);
      }
      return value;
    }),
  );
}

/** The placeholder names a template uses, each once, in order of first use. */
export function templatePlaceholders(template: readonly string[]): string[] {
  const names = new Set<string>();
  for (const word of template) for (const match of word.matchAll(PLACEHOLDER)) names.add(match[1]!);
  return [...names];
}
