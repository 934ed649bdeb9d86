/**
 * `lifeline hook <agent>`: what an agent's SessionStart hook runs (installed by `lifeline agents
 * install`). The hook itself is runHook (hook-run.ts), which cli.ts loads without the full CLI so
 * the agent waits as little as possible; this definition is for `--help`.
 */
import { defineCommand } from 'citty';

export default defineCommand({
  meta: { name: 'hook', description: "Run by an agent's SessionStart hook: records the agent's session id (reads the hook JSON on stdin)" },
  args: {
    agent: { type: 'positional', description: 'claude, codex or gemini' },
    db: { type: 'string', description: 'database file, when LIFELINE_DB is not set by the launch', valueHint: 'path' },
  },
  run: () => 0,
});
