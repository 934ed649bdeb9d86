import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where lifeline's own files are. The installed program is one bundle per entry (dist/cli.cjs,
 * dist/main.cjs, dist/supervise.cjs, built by esbuild for a fast start); `tsc` also emits every module under
 * dist/src/ for the unit tests. A module's location differs between the two, so every path to our
 * own files is worked out here, once.
 */
declare const __filename: string | undefined;
const here = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
const bundled = here.endsWith('.cjs');
const folder = dirname(here);

/** The entry a shell snippet or login item runs with node. */
export const cliScript = join(folder, bundled ? 'cli.cjs' : 'cli.js');
/** The full CLI, a bundle of its own so the guarded reconcile never parses it. */
export const mainScript = join(folder, bundled ? 'main.cjs' : 'main.js');
/** The same CLI with only `launch` and `r`/`resume` in it (scripts/build.mjs says why); tsc's output has one for all. */
export const launchScript = join(folder, bundled ? 'launch.cjs' : 'main.js');
/** The entry of `lifeline hook`, which agents run at every start: kept apart from the full CLI. */
export const hookScript = join(folder, bundled ? 'hook.cjs' : 'hook.js');
/** The entry of the supervisor of detached programs. */
export const supervisorScript = join(folder, bundled ? 'supervise.cjs' : 'supervise.js');
/** The Node helper a waiter calls to record a start and an exit (src/waiter.ts). */
export const waiterHelperScript = join(folder, bundled ? 'waiter.cjs' : 'waiter.js');
/** The dash script that waits for a program (bin/lifeline-wait), and the sh entry that is the `bin`. */
export const waiterScript = join(folder, bundled ? '..' : '../..', 'bin', 'lifeline-wait');
export const shEntryScript = join(folder, bundled ? '..' : '../..', 'bin', 'lifeline');
export const packageJson = join(folder, bundled ? '..' : '../..', 'package.json');
/** A file to resolve installed packages from (createRequire). */
export const resolveFrom = here;

/**
 * The argv of a foreground `lifeline launch …` (the words after `launch` are the caller's), for
 * whatever starts one on lifeline's behalf (a tmux window; the one place that says how lifeline's
 * foreground launcher is started): the sh entry, so that dash waits for
 * the program in ~2 MiB (SPEC §12); it falls back to a Node parent by itself where it must.
 */
export function foregroundLaunchArgv(launchWords: readonly string[]): string[] {
  return existsSync(shEntryScript) ? [shEntryScript, 'launch', ...launchWords] : [process.execPath, cliScript, 'launch', ...launchWords];
}
