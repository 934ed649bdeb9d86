import { SHUTDOWN_WINDOW_MS, type StartedBy } from '../vocabulary.js';

/**
 * Which life of which name a waiter (bin/lifeline-wait) watches, and how to record it. It travels
 * as one JSON line on the stdin of the Node helpers (dist/waiter.cjs), never on a command line.
 */
export interface WaiterKey {
  readonly db: string;
  readonly name: string;
  readonly created_at: number;
  readonly marker: string;
  readonly detached: boolean;
  /** Detached: the started helper writes the launcher's report on fd 3. */
  readonly report: boolean;
  readonly by: StartedBy;
  readonly resumed_from: number | null;
  /** Foreground: the private file the waiter writes `jobs -l` into; the helpers remove it. */
  readonly status_file: string | null;
  /**
   * Where the waiter writes how its program ended before its finish helper runs (pending-exits.ts):
   * the helper removes it once the exit is recorded. Null: the helper is waited for (older plans).
   */
  readonly exit_file: string | null;
  /** Where `lifeline stop` says it has recorded the end already (pending-exits.ts): then no helper runs. */
  readonly recorded_file: string | null;
}

/** Everything the waiter script needs, written as shell assignments that it evaluates. */
export interface WaiterPlan {
  readonly mode: 'foreground' | 'detached';
  readonly node: string;
  readonly helper: string;
  readonly key: WaiterKey;
  readonly cwd: string;
  /** Entries the program's environment has on top of the waiter's own (the marker, the name). */
  readonly env: Readonly<Record<string, string>>;
  /** Detached only: the signals env resets (a foreground entry works this out from its own SigIgn). */
  readonly signalsToDefault: string | null;
  /** `r --json` in the foreground: the report in three pieces, with the pid and the exit code between them. */
  readonly json: readonly [string, string, string] | null;
  readonly argv: readonly string[];
}

/** Single quotes keep every byte as it is; a quote itself is closed, escaped and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The plan as shell text for dash to evaluate: assignments and `set -- ARGV`, nothing else. */
export function renderWaiterPlan(plan: WaiterPlan): string {
  const exports = Object.entries(plan.env).map(([name, value]) => {
    if (!VARIABLE_NAME.test(name)) throw new Error(`not a variable name: ${name}`);
    return `${name}=${shellQuote(value)}`;
  });
  const lines = [
    `_ll_mode=${plan.mode}`,
    `_ll_node=${shellQuote(plan.node)}`,
    `_ll_helper=${shellQuote(plan.helper)}`,
    `_ll_key=${shellQuote(JSON.stringify(plan.key))}`,
    `_ll_cwd=${shellQuote(plan.cwd)}`,
    `_ll_env=${shellQuote(exports.length === 0 ? ':' : `export ${exports.join(' ')}`)}`,
    `_ll_status=${shellQuote(plan.key.status_file ?? '')}`,
    `_ll_exit=${shellQuote(plan.key.exit_file ?? '')}`,
    `_ll_recorded=${shellQuote(plan.key.recorded_file ?? '')}`,
    `_ll_json=${shellQuote(plan.json?.[0] ?? '')}`,
    `_ll_json2=${shellQuote(plan.json?.[1] ?? '')}`,
    `_ll_json3=${shellQuote(plan.json?.[2] ?? '')}`,
    // The waiter measures in /proc/uptime's centiseconds, and lingers with sleep(1), which takes seconds.
    `_ll_window=${Math.round(SHUTDOWN_WINDOW_MS / 10)}`,
    `_ll_window_s=${SHUTDOWN_WINDOW_MS / 1000}`,
  ];
  if (plan.signalsToDefault !== null) lines.push(`_ll_sigdefault=${shellQuote(plan.signalsToDefault)}`);
  lines.push(`set -- ${plan.argv.map(shellQuote).join(' ')}`);
  return `${lines.join('\n')}\n`;
}
