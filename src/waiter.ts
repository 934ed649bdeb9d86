/**
 * Entry of the Node helper a waiter (bin/lifeline-wait) calls: `started` records the program's
 * start while it runs, `finish` records how it ended. Not a user command. Everything it needs
 * comes on stdin (the key as one JSON line, "PID TICKS", the outcome): nothing on its command line.
 * The waiter starts it with setsid, so the terminal's signals cannot cut a write short.
 */
import './no-debugger.js'; // First: SIGUSR1 must not open Node's inspector in a process of lifeline's.
import { closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createContext } from './lifecycle/context.js';
import { parseWaiterReport, recordWaiterExit, recordWaiterStart } from './lifecycle/starting/waiter-records.js';
import type { WaiterKey } from './lifecycle/starting/waiter-plan.js';
import { platformProbe } from './proc/index.js';
import { openDatabase } from './store/open.js';
import { Store } from './store/store.js';

const REPORT_FD = 3;

function report(order: WaiterKey, message: { ok: true; pid: number } | { ok: false; message: string }): void {
  if (!order.report) return;
  try {
    writeSync(REPORT_FD, `${JSON.stringify(message)}\n`);
    closeSync(REPORT_FD);
  } catch {
    // The launcher is gone; the row tells the truth anyway.
  }
}

async function run(): Promise<number> {
  const mode = process.argv[2];
  const input = readFileSync(0, 'utf8');
  const told = parseWaiterReport(input);
  if (told === null) throw new Error(`the waiter sent a key that could not be read: ${JSON.stringify(input.split('\n')[0])}`);
  const { key: order, seen } = told;
  if (order.status_file !== null) rmSync(order.status_file, { force: true }); // The waiter holds it open.

  const db = openDatabase(order.db, 'write-existing');
  if (db === null) throw new Error(`${order.db} is gone`);
  const store = new Store(db);
  try {
    const ctx = createContext(store, platformProbe());
    if (mode === 'started') {
      if (!(seen.pid > 1)) throw new Error('no pid from the waiter');
      const recorded = await recordWaiterStart(ctx, order, seen);
      report(order, recorded.ok ? { ok: true, pid: seen.pid } : recorded);
      if (!recorded.ok) {
        process.stderr.write(`lifeline: ${recorded.message}\n`);
        return 1;
      }
      return 0;
    }
    if (mode === 'finish') {
      const { outcome } = told;
      if (outcome === null) throw new Error(`the waiter sent an outcome that could not be read: ${JSON.stringify(input.split('\n')[2])}`);
      if (outcome.kind === 'launch-failed') report(order, { ok: false, message: `cannot start ${order.name} in its folder` });
      recordWaiterExit(ctx, order, seen, outcome);
      // Recorded: the waiter's pending report of it has done its job (pending-exits.ts).
      if (order.exit_file !== null && order.exit_file !== undefined) rmSync(order.exit_file, { force: true });
      return 0;
    }
    throw new Error(`unknown waiter helper mode ${JSON.stringify(mode)}`);
  } finally {
    store.close();
  }
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lifeline: the waiter's helper failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
