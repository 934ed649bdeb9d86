/**
 * Entry of `lifeline hook <agent>` (see commands/hook-run.ts), a bundle of its own: an agent waits
 * for its start hook, so the hook loads only what recording a session needs.
 */
export { runHook } from './commands/hook-run.js';
