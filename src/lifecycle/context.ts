import type { ProcessProbe } from '../proc/index.js';
import type { Store } from '../store/store.js';
import { KV_DEVICE_ID } from './vocabulary.js';

/** What every lifecycle operation works with: one store, one probe, and the facts of this boot. */
export interface LifelineContext {
  readonly store: Store;
  readonly probe: ProcessProbe;
  readonly bootId: string;
  /** This database's device id: rows from other devices are never verified or signalled. */
  readonly deviceId: string | null;
  now(): number;
}

export function createContext(store: Store, probe: ProcessProbe, bootId: string = probe.bootId()): LifelineContext {
  return { store, probe, bootId, deviceId: store.getKv(KV_DEVICE_ID), now: Date.now };
}
