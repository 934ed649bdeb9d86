/**
 * doctor's checks of what runs reconcile at boot: the shell snippets and the login item. "Present"
 * is not enough — a snippet whose frozen node or lifeline path is gone (after a Node upgrade, a
 * moved checkout) skips reconcile silently in every shell, and a unit that was written but never
 * enabled never starts — so each is checked for whether it will actually run.
 */
import { readFileSync, statSync } from 'node:fs';
import { type LoginItemPlan, loginItemRestores, loginItemState, type LoginItemState, userLingers } from './login-item.js';
import { rcFile, type Shell, SHELLS, SNIPPET_BEGIN, SNIPPET_END } from './shell.js';

export interface SnippetCheck {
  readonly file: string;
  readonly present: boolean;
  /** How many lifeline snippets the file holds (more than one: appended twice). */
  readonly count: number;
  /** Frozen paths the snippet tests (`-x` node, `-f` lifeline) that no longer exist. */
  readonly missing_paths: string[];
}

export interface LoginItemCheck {
  readonly path: string | null;
  /** The file is there. */
  readonly installed: boolean;
  /** It will run at login: on Linux, the unit is enabled (linked into default.target.wants). */
  readonly enabled: boolean;
  /** It also brings the last boot's set back in tmux after the reconcile (`install --restore`). */
  readonly restore: boolean;
  /**
   * Linux: whether the user's systemd manager lingers. Without it, a logout ends everything the user
   * runs (tmux and the programs in it); null when it cannot be told (no logind) or on macOS.
   */
  readonly linger: boolean | null;
}

export interface BootHookChecks {
  readonly shell_snippet: Record<Shell, SnippetCheck>;
  readonly login_item: LoginItemCheck;
  readonly warnings: string[];
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The snippets' bodies, from each begin marker to its end marker. */
function snippetBlocks(text: string): string[] {
  const blocks: string[] = [];
  let from = text.indexOf(SNIPPET_BEGIN);
  while (from >= 0) {
    const end = text.indexOf(SNIPPET_END, from);
    blocks.push(text.slice(from, end < 0 ? undefined : end));
    from = text.indexOf(SNIPPET_BEGIN, from + SNIPPET_BEGIN.length);
  }
  return blocks;
}

/**
 * A single-quoted word at the start of `text`: POSIX (`'a'\''b'`, nothing escaped inside) or fish
 * (`'a\'b'`, only \\ and \' escaped inside). Null when `text` does not start with a quote.
 */
export function unquoteWord(text: string, fish: boolean): string | null {
  let i = 0;
  let word = '';
  let quoted = false;
  while (i < text.length) {
    if (text[i] === "'") {
      const close = fish ? fishClose(text, i + 1) : text.indexOf("'", i + 1);
      if (close < 0) return null;
      const inner = text.slice(i + 1, close);
      word += fish ? inner.replace(/\\([\\'])/g, '$1') : inner;
      quoted = true;
      i = close + 1;
    } else if (!fish && text.startsWith("\\'", i)) {
      word += "'";
      i += 2;
    } else break;
  }
  return quoted ? word : null;
}

function fishClose(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === "'") return i;
  }
  return -1;
}

/** The paths a snippet tests before running lifeline: `-x 'node'` and `-f 'lifeline'`, in any of our shells' syntax. */
export function frozenPaths(block: string, fish: boolean): string[] {
  const paths: string[] = [];
  for (const match of block.matchAll(/(?:^|\s)-[xf] (?=')/g)) {
    const word = unquoteWord(block.slice(match.index + match[0].length), fish);
    if (word !== null && word.startsWith('/')) paths.push(word);
  }
  return [...new Set(paths)];
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function checkSnippet(shell: Shell, userHome: string): SnippetCheck {
  const file = rcFile(shell, userHome);
  const blocks = snippetBlocks(readText(file) ?? '');
  const missing = [...new Set(blocks.flatMap((block) => frozenPaths(block, shell === 'fish')))].filter((path) => !exists(path));
  return { file, present: blocks.length > 0, count: blocks.length, missing_paths: missing };
}

function checkLoginItem(plan: LoginItemPlan | null): LoginItemCheck {
  if (plan === null) return { path: null, installed: false, enabled: false, restore: false, linger: null };
  const state: LoginItemState = loginItemState(plan);
  const restore = state !== 'absent' && loginItemRestores(plan);
  return { path: plan.path, installed: state !== 'absent', enabled: state === 'enabled', restore, linger: plan.platform === 'linux' ? userLingers() : null };
}

/** Whether anything will reconcile at the next boot, and what is wrong with what is installed. */
export function checkBootHooks(userHome: string, plan: LoginItemPlan | null): BootHookChecks {
  const snippets = Object.fromEntries(SHELLS.map((shell) => [shell, checkSnippet(shell, userHome)])) as Record<Shell, SnippetCheck>;
  const loginItem = checkLoginItem(plan);
  const warnings: string[] = [];
  for (const [shell, snippet] of Object.entries(snippets)) {
    if (snippet.count > 1) warnings.push(`${snippet.file} holds the lifeline snippet ${snippet.count} times; keep one`);
    for (const path of snippet.missing_paths) {
      warnings.push(
        `the ${shell} snippet in ${snippet.file} runs ${path}, which no longer exists, so it never reconciles; replace it with the output of \`lifeline init ${shell}\``,
      );
    }
  }
  if (loginItem.installed && !loginItem.enabled && plan !== null) {
    warnings.push(`the login item ${plan.path} is written, not enabled; enable it in your login session: ${plan.install.map((argv) => argv.join(' ')).join(' && ')}`);
  }
  const snippetRuns = Object.values(snippets).some((snippet) => snippet.present && snippet.missing_paths.length === 0);
  if (!loginItem.enabled && !snippetRuns) {
    warnings.push('nothing runs reconcile at boot: add `lifeline init <shell>` to your rc file or run `lifeline login-item install`');
  }
  return { shell_snippet: snippets, login_item: loginItem, warnings };
}


/**
 * The last reconcile as the boot stamp tells it, for when there is no database to ask: a reconcile
 * with no database creates none, but it did run, and writes the stamp with this boot's id.
 */
export function lastReconcileFromStamp(stamp: string, currentBootId: string | null): { boot_id: string | null; at: number | null; this_boot: boolean } {
  try {
    const bootId = readFileSync(stamp, 'utf8').split('\n')[0]!.trim();
    if (bootId === '') return { boot_id: null, at: null, this_boot: false };
    return { boot_id: bootId, at: Math.round(statSync(stamp).mtimeMs), this_boot: bootId === currentBootId };
  } catch {
    return { boot_id: null, at: null, this_boot: false };
  }
}
