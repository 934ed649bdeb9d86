/**
 * The one error type the core throws. `code` tells the CLI which exit status to use; `message` is
 * written for the user and printed as `lifeline: <message>`.
 */
export type ErrorCode =
  | 'usage' // bad flags or arguments: exit 2
  | 'invalid-name'
  | 'unknown-name'
  | 'name-taken'
  | 'not-a-database'
  | 'database-damaged'
  | 'schema-too-new'
  | 'database-readonly'
  | 'database-busy'
  | 'database-missing'
  | 'missing-folder'
  | 'missing-binding'
  | 'no-such-process'
  | 'not-permitted'
  | 'launch-failed'
  | 'unsupported-platform'
  | 'not-running' // `wait`: an instance waited on for a turn state ended first
  | 'timed-out'
  | 'untrusted' // a state folder, logs folder or database another user owns, or a link where lifeline writes
  | 'io';

export class LifelineError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LifelineError';
    this.code = code;
  }
}

/** Usage errors exit 2 (like a shell builtin's misuse); every other failure exits 1. */
export function exitCodeFor(error: LifelineError): number {
  return error.code === 'usage' || error.code === 'invalid-name' ? 2 : 1;
}
