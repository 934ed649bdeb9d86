import { defineCommand } from 'citty';
import { decodeLifeEvent, type LifeStopped, type Snapshot } from '../lifecycle/life-log.js';
import { instanceStatuses } from '../lifecycle/ending/status.js';
import { NO_TURN, turnView } from '../lifecycle/turns/turn.js';
import type { TurnState } from '../lifecycle/vocabulary.js';
import { formatBytes, formatDuration, printJson, printLine, printTable, type PaintedCell } from '../output.js';
import { processUsage } from '../proc/usage.js';
import type { EventRow } from '../store/rows.js';
import { dbArg, jsonArg, withStore } from './shared.js';

interface ListEntry {
  name: string;
  state: string;
  /** What an agent is doing (SPEC §14); null for other programs and for anything not verified running. */
  turn: TurnState | null;
  turn_since: number | null;
  pid: number | null;
  uptime_s: number | null;
  cpu: number | null;
  memory: number | null;
  tag: string | null;
  cwd: string;
  argv: unknown;
  detached: boolean;
  bindings: { kind: string; value: string }[];
  /** The resume template (an array), or null to resume with argv. */
  resume_argv: unknown;
  /** For stopped entries (--all): when and why. */
  stopped_at?: number;
  reason?: string;
  by?: string;
}

function stoppedEntry(event: EventRow): ListEntry {
  const data: Partial<LifeStopped> = decodeLifeEvent('life.stopped', event);
  const snapshot: Partial<Snapshot> = data.snapshot ?? {};
  return {
    name: event.instance,
    state: 'stopped',
    ...NO_TURN,
    pid: null,
    uptime_s: null,
    cpu: null,
    memory: null,
    tag: typeof snapshot['tag'] === 'string' ? snapshot['tag'] : null,
    cwd: typeof snapshot['cwd'] === 'string' ? snapshot['cwd'] : '',
    argv: snapshot['argv'] ?? [],
    detached: snapshot['detached'] === 1,
    bindings: Array.isArray(snapshot['bindings']) ? (snapshot['bindings'] as ListEntry['bindings']) : [],
    resume_argv: snapshot['resume_argv'] ?? null,
    stopped_at: event.ts,
    reason: data.reason ?? '',
    by: data.by ?? '',
  };
}

/** The state with its colour; printTable escapes the text (a reason read from the database) first. */
function colourState(state: string): PaintedCell {
  if (state.startsWith('running')) return { text: state, colour: 'green' };
  if (state.startsWith('dead')) return { text: state, colour: 'red' };
  if (state.startsWith('stopped')) return { text: state, colour: 'gray' };
  return { text: state, colour: 'yellow' };
}

export default defineCommand({
  meta: { name: 'list', description: 'Show tracked instances with their verified state (read-only)' },
  args: {
    all: { type: 'boolean', description: 'also show stopped instances that can be resumed' },
    ...jsonArg,
    ...dbArg,
  },
  async run({ args }) {
    const entries: ListEntry[] = [];
    await withStore(args, 'read', async ({ ctx }) => {
      const statuses = instanceStatuses(ctx);
      const usage = await processUsage(statuses.filter((s) => s.alive && s.row.pid !== null).map((s) => s.row.pid!));
      const now = ctx.now();
      for (const { row, state, alive, startedAtMs } of statuses) {
        const measured = alive && row.pid !== null ? usage.get(row.pid) : undefined;
        entries.push({
          name: row.name,
          state,
          ...turnView(ctx.store, row, alive),
          pid: row.pid,
          uptime_s: startedAtMs === null ? null : Math.max(0, Math.round((now - startedAtMs) / 1000)),
          cpu: measured === undefined ? null : Math.round(measured.cpu * 10) / 10,
          memory: measured?.memory ?? null,
          tag: row.tag,
          cwd: row.cwd,
          argv: safeJson(row.argv),
          detached: row.detached === 1,
          bindings: ctx.store.bindingsOf(row.name).map(({ kind, value }) => ({ kind, value })),
          resume_argv: row.resume_argv === null ? null : safeJson(row.resume_argv),
        });
      }
      if (args.all) entries.push(...ctx.store.resumableSnapshots().map(stoppedEntry));
    }, async () => {}); // No database: nothing to list.
    if (args.json) return printJson(entries);
    if (entries.length === 0) return printLine(args.all ? 'no instances' : 'no instances running (lifeline list --all shows stopped ones)');
    const dash = '-';
    printTable(
      ['NAME', 'STATE', 'PID', 'UPTIME', 'CPU', 'MEM', 'TAG', 'FOLDER'],
      entries.map((entry) => [
        entry.name,
        colourState(entry.stopped_at !== undefined ? stoppedState(entry.stopped_at, entry.reason ?? '') : withTmux(entry)),
        entry.pid === null ? dash : String(entry.pid),
        entry.uptime_s === null ? dash : formatDuration(entry.uptime_s * 1000),
        entry.cpu === null ? dash : `${entry.cpu.toFixed(1)}%`,
        entry.memory === null ? dash : formatBytes(entry.memory),
        entry.tag ?? dash,
        homeRelative(entry.cwd),
      ]),
    );
  },
});

/** `stopped 2h 5m ago (exit:reboot)`; a plain `lifeline stop` says who, rather than `(stopped)` again. */
function stoppedState(stoppedAtMs: number, reason: string): string {
  const ago = `stopped ${formatDuration(Date.now() - stoppedAtMs)} ago`;
  return reason === 'stopped' ? `${ago} by the user` : `${ago} (${reason})`;
}

/**
 * A live instance in a tmux window says which one, and an agent what it does and for how long:
 * `running in tmux lifeline:alice, working 2m 5s`. `working` stays until the agent reports the end:
 * claude sends nothing on Esc, and lifeline shows what it was told rather than guess from timing.
 */
function withTmux(entry: ListEntry): string {
  const tmux = entry.bindings.filter((binding) => binding.kind === 'tmux').at(-1);
  const state = tmux === undefined ? entry.state : `${entry.state} in tmux ${tmux.value}`;
  if (entry.turn === null) return state;
  if (entry.turn === 'unknown' || entry.turn_since === null) return `${state}, turn unknown`;
  return `${state}, ${entry.turn} ${formatDuration(Date.now() - entry.turn_since)}`;
}

/** `~/project` reads better than `/home/someone/project` in a table; JSON keeps the full path. */
function homeRelative(path: string): string {
  const home = process.env['HOME'];
  if (home === undefined || home === '' || home === '/') return path;
  return path === home ? '~' : path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
