#!/usr/bin/env node
/**
 * Entry point. The guarded reconcile (already done this boot) runs from every shell start, so this
 * entry holds only that path; everything else is the full CLI in main.ts, a bundle of its own that
 * is loaded only when needed.
 */
import './no-debugger.js';
import { runGuarded } from './commands/reconcile-guarded.js';
import { visible } from './output.js';
import { hookScript, mainScript } from './self.js';

type MainModule = typeof import('./main.js');
type HookModule = typeof import('./hook.js');

const argv = process.argv.slice(2);
const verbose = argv.includes('--verbose') || (process.env['DEBUG'] ?? '') !== '';

async function run(): Promise<number> {
  if (process.platform === 'win32') {
    process.stderr.write('lifeline: Windows is not supported (lifeline needs Linux or macOS)\n');
    return 1;
  }
  if (argv[0] === 'reconcile' && !argv.includes('--dry-run') && !argv.includes('--force')) {
    const guarded = runGuarded(argv.slice(1));
    if (guarded !== null) return guarded;
  }
  // An agent's start hook: its own small bundle, since the agent waits for it (always exits 0).
  if (argv[0] === 'hook' && !argv.includes('--help') && !argv.includes('-h')) {
    const loaded = (await import(hookScript)) as HookModule & { default?: HookModule };
    return (typeof loaded.runHook === 'function' ? loaded : loaded.default!).runHook(argv.slice(1));
  }
  // An absolute path works both as an ESM specifier and for require().
  const loaded = (await import(mainScript)) as MainModule & { default?: MainModule };
  const { main, report } = typeof loaded.main === 'function' ? loaded : loaded.default!;
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
