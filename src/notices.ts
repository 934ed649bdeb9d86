import { createConsola } from 'consola/basic';

/**
 * Messages for the person at the terminal, on stderr so that stdout stays data. Kept apart from
 * output.ts so the guarded reconcile, which prints through output.ts, never loads consola.
 */
export const notices = createConsola({ stdout: process.stderr, stderr: process.stderr, formatOptions: { date: false } }).withTag(
  'lifeline',
);
