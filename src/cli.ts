#!/usr/bin/env node
/**
 * Entry point. The guarded reconcile (already done this boot) runs from every shell start, so this
 * entry holds only that path; everything else is the full CLI in main.ts, a bundle of its own that
 * is loaded only when needed.
 */
import './no-debugger.js';
import { hoistGlobals } from './argv.js';
import { runGuarded } from './guarded.js';
import { visible } from './output.js';
import { platform } from './proc/index.js';
import { hookScript, launchScript, mainScript } from './self.js';

type MainModule = typeof import('./main.js');
type HookModule = typeof import('./hook.js');

const argv = process.argv.slice(2);

/**
 * Loads one of our own bundles. A CommonJS file loaded with import() is first scanned by Node's
 * cjs-module-lexer for its export names — about 30 ms for main.cjs, more than the rest of a
 * foreground launch's preparation; loadBundle skips that, and compiles with V8's code cache.
 * tsc's output (the tests of single modules) is ESM.
 */
async function loadOwn<T>(script: string): Promise<T> {
  // Imported here, not at the top: the guarded reconcile never needs it (node:vm and the digest).
  if (script.endsWith('.cjs')) return (await import('./own-bundle.js')).loadBundle<T>(script);
  return (await import(script)) as T;
}
const verbose = argv.includes('--verbose') || (process.env['DEBUG'] ?? '') !== '';

async function run(): Promise<number> {
  if (platform() === 'win32') {
    process.stderr.write('lifeline: Windows is not supported (lifeline needs Linux or macOS)\n');
    return 1;
  }
  if (argv[0] === 'reconcile' && !argv.includes('--dry-run') && !argv.includes('--force')) {
    const code = runGuarded(argv.slice(1)); // null: not handled on the fast path
    if (code !== null) return code;
  }
  // An agent's start hook: its own small bundle, since the agent waits for it (always exits 0).
  if (argv[0] === 'hook' && !argv.includes('--help') && !argv.includes('-h')) {
    return (await loadOwn<HookModule>(hookScript)).runHook(argv.slice(1));
  }
  // A launch (whose preparation the prompt waits for) loads the bundle that holds only launch and r.
  const { command } = hoistGlobals(argv);
  const script = command === 'launch' || command === 'r' || command === 'resume' ? launchScript : mainScript;
  const { main, report } = await loadOwn<MainModule>(script);
  try {
    return await main(argv);
  } catch (error) {
    return report(error, verbose);
  }
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lifeline: unexpected error: ${visible(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = 1;
  },
);
