import type { ProcessProbe } from '../proc/index.js';
import type { InstanceRow } from '../store/rows.js';
import type { Store } from '../store/store.js';
import { KV_DEVICE_ID, type Reason } from './vocabulary.js';

/** The end a waiter reported for a life and no one has recorded yet (starting/pending-exits.ts). */
export type PendingExitReader = (row: Pick<InstanceRow, 'name' | 'created_at' | 'marker'>) => Reason | null;

/** What every lifecycle operation works with: one store, one probe, and the facts of this boot. */
export interface LifelineContext {
  readonly store: Store;
  readonly probe: ProcessProbe;
  readonly bootId: string;
  /** This database's device id: rows from other devices are never verified or signalled. */
  readonly deviceId: string | null;
  /** Absent where no waiter can have reported (tests over fixtures, the helpers themselves). */
  readonly pendingExit?: PendingExitReader;
  now(): number;
}

export function createContext(store: Store, probe: ProcessProbe, bootId: string = probe.bootId(), pendingExit?: PendingExitReader): LifelineContext {
  return { store, probe, bootId, deviceId: store.getKv(KV_DEVICE_ID), now: Date.now, ...(pendingExit === undefined ? {} : { pendingExit }) };
}
