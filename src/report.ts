import { LifelineError, exitCodeFor } from './errors.js';
import { printJson, stripAnsi, visible } from './output.js';
import { describeSqliteError } from './store/sqlite-errors.js';

/** Whether the command line asks for JSON (before `--`: a launched program's own `--json` is its own). */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * Besides the one stderr line, a failure with --json prints {"error": {"code", "message"}} on
 * stdout: a script reading stdout always gets JSON.
 */
function reportJson(code: string, message: string): void {
  if (wantsJson(process.argv.slice(2))) printJson({ error: { code, message } });
}

/**
 * The one place an error becomes a line on stderr and an exit status: a LifelineError, a SQLite
 * failure from outside an open store (withStore names the file of its own), a citty usage error, or
 * the unexpected, with its stack only under --verbose or DEBUG.
 */
export function report(error: unknown, verbose: boolean): number {
  const sqlite = describeSqliteError(error, 'the database');
  const known = error instanceof LifelineError ? error : sqlite;
  if (known !== null) {
    process.stderr.write(`lifeline: ${visible(known.message)}\n`);
    reportJson(known.code, known.message);
    if (verbose && known.stack !== undefined) process.stderr.write(`${known.stack}\n`);
    return exitCodeFor(known);
  }
  if ((error as Error | null)?.name === 'CLIError') {
    process.stderr.write(`lifeline: ${visible(stripAnsi((error as Error).message))}\n`);
    reportJson('usage', stripAnsi((error as Error).message));
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`lifeline: unexpected error: ${visible(message.split('\n')[0]!)}\n`);
  reportJson('unexpected', `unexpected error: ${message.split('\n')[0]}`);
  if (verbose) process.stderr.write(`${error instanceof Error ? error.stack : ''}\n`);
  return 1;
}
