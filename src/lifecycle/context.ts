import type { ProcessProbe } from '../proc/index.js';
import type { InstanceRow } from '../store/rows.js';
import type { Store } from '../store/store.js';
import { KV_DEVICE_ID, type Reason } from './vocabulary.js';

/** What the dash waiters of this state folder leave for everyone else (starting/pending-exits.ts). */
export interface WaiterFiles {
  /** The end a waiter reported for this life and no one has recorded yet. */
  pendingExit(row: Pick<InstanceRow, 'name' | 'created_at' | 'marker'>): Reason | null;
  /** Tells a life's waiter that its end is recorded already, so it starts no helper to record it. */
  endRecorded(marker: string): void;
}

/** What every lifecycle operation works with: one store, one probe, and the facts of this boot. */
export interface LifelineContext {
  readonly store: Store;
  readonly probe: ProcessProbe;
  readonly bootId: string;
  /** This database's device id: rows from other devices are never verified or signalled. */
  readonly deviceId: string | null;
  /** Absent where no waiter can be concerned (tests over fixtures, the helpers themselves). */
  readonly waiters?: WaiterFiles;
  now(): number;
}

export function createContext(store: Store, probe: ProcessProbe, bootId: string = probe.bootId(), waiters?: WaiterFiles): LifelineContext {
  return { store, probe, bootId, deviceId: store.getKv(KV_DEVICE_ID), now: Date.now, ...(waiters === undefined ? {} : { waiters }) };
}
