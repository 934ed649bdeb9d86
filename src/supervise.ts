/**
 * Entry of the supervisor process that `launch --detach` starts (see lifecycle/starting/detach.ts). It is
 * not a user command: it takes one JSON order, starts the program and stays to record its exit.
 */
import './no-debugger.js';
import { closeSync, readFileSync, writeSync } from 'node:fs';
import { createContext } from './lifecycle/context.js';
import type { SupervisorOrder } from './lifecycle/starting/detach.js';
import { supervise } from './lifecycle/starting/supervisor.js';
import { platformProbe } from './proc/index.js';
import { openPrivateFile } from './store/files.js';
import { openDatabase } from './store/open.js';
import { Store } from './store/store.js';

// The order comes on stdin: argv, folder and bindings never show on this process's command line.
const order = JSON.parse(readFileSync(0, 'utf8') || '{}') as SupervisorOrder;

async function run(): Promise<number> {
  const store = new Store(openDatabase(order.db, 'write-existing')!);
  try {
    return await supervise(createContext(store, platformProbe()), order);
  } finally {
    store.close();
  }
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Nobody watches this process's stderr: leave the reason where the user looks, in the log.
    try {
      const log = openPrivateFile(order.logFile, 'a'); // Never through a planted link.
      writeSync(log, `lifeline supervisor: ${(error as Error).stack ?? String(error)}\n`);
      closeSync(log);
    } catch {
      // No log either; the row's verdict will still tell the truth.
    }
    process.exitCode = 1;
  },
);
