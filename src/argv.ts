/**
 * Reading the command line where citty 0.2 does not: it accepts unknown flags silently, keeps only
 * the last value of a repeated option, knows no options before the command name, and reads a
 * launched program's own words after `--` as ours. Each gap is covered here, once.
 */
import type { ArgsDef } from 'citty';
import { LifelineError } from './errors.js';

/** The words before `--` (ours) and after it (a launched program's), or null when there is no `--`. */
export function splitAtDashes(rawArgs: readonly string[]): { own: string[]; program: string[] } | null {
  const dashes = rawArgs.indexOf('--');
  return dashes < 0 ? null : { own: rawArgs.slice(0, dashes), program: rawArgs.slice(dashes + 1) };
}

/** `lifeline --db x list` means `lifeline list --db x`: global options may come before the command. */
export function hoistGlobals(argv: string[]): { command: string | undefined; rest: string[] } {
  const globals: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--db' && argv[i + 1] !== undefined) globals.push(word, argv[++i]!);
    else if (word.startsWith('--db=') || word === '--verbose') globals.push(word);
    else break;
  }
  return { command: argv[i], rest: [...globals, ...argv.slice(i + 1)] };
}

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** citty accepts any flag silently; a mistyped one should be a usage error, not ignored. */
export function checkOptions(words: readonly string[], argsDef: ArgsDef, command: string): void {
  const end = words.indexOf('--');
  const own = end < 0 ? words : words.slice(0, end);
  const defs = new Map(Object.entries(argsDef).map(([name, def]) => [name, def] as const));
  // Short aliases (`logs -f -n 20`) are options too.
  const aliases = new Map(
    Object.entries(argsDef).flatMap(([name, def]) => [('alias' in def ? def.alias : undefined) ?? []].flat().map((alias) => [alias, name] as const)),
  );
  for (let i = 0; i < own.length; i++) {
    const word = own[i]!;
    // `-1` is no option of lifeline's and no name either: refused, never silently dropped.
    if (!word.startsWith('-') || word === '-') continue;
    const body = word.replace(/^--?/, '');
    const [flag, inline] = body.includes('=') ? [body.slice(0, body.indexOf('=')), body.slice(body.indexOf('=') + 1)] : [body, undefined];
    if (flag === 'verbose') continue;
    const short = !word.startsWith('--') && aliases.has(flag);
    const def = short ? defs.get(aliases.get(flag)!) : (defs.get(flag) ?? defs.get(camel(flag)) ?? (flag.startsWith('no-') ? defs.get(flag.slice(3)) : undefined));
    if (def === undefined || def.type === 'positional' || (!word.startsWith('--') && !short)) {
      throw new LifelineError('usage', `unknown option ${word.split('=')[0]} for lifeline ${command} (see lifeline ${command} --help)`);
    }
    if (def.type === 'string' && inline === undefined) {
      if (own[i + 1] === undefined) throw new LifelineError('usage', `${word} needs a value`);
      i++;
    }
  }
}

/**
 * Values of a repeatable option (`--bind a=1 --bind b=2`) from the words before `--`. citty keeps
 * only the last value of a repeated string option, so repeated ones are collected here.
 */
export function repeatedOption(rawArgs: readonly string[], name: string): string[] {
  const values: string[] = [];
  const end = rawArgs.indexOf('--');
  const words = end < 0 ? rawArgs : rawArgs.slice(0, end);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === `--${name}`) {
      const value = words[i + 1];
      if (value === undefined) throw new LifelineError('usage', `--${name} needs a value`);
      values.push(value);
      i++;
    } else if (word.startsWith(`--${name}=`)) {
      values.push(word.slice(name.length + 3));
    }
  }
  return values;
}

