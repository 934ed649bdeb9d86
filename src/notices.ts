import { createConsola } from 'consola/basic';

/**
 * Messages for the person at the terminal, on stderr so that stdout stays data. They read like
 * lifeline's errors — `lifeline: …`, one line, `lifeline: warning: …` for warnings — so a user sees
 * one style. Kept apart from output.ts so the guarded reconcile, which prints through output.ts,
 * never loads consola.
 */
export const notices = createConsola({
  reporters: [
    {
      log(entry) {
        const text = entry.args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
        const kind = entry.type === 'warn' || entry.type === 'error' || entry.type === 'fatal' ? `${entry.type === 'warn' ? 'warning' : 'error'}: ` : '';
        process.stderr.write(`lifeline: ${kind}${text}\n`);
      },
    },
  ],
});
