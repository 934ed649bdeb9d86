import type { Store } from '../store/store.js';
import { KV_RECONCILE_BOOT } from './vocabulary.js';

/**
 * The question asked at every shell start: was this boot already reconciled? One kv read. Its own
 * module so the guarded path loads nothing of the verdict and stop machinery.
 */
export function alreadyReconciled(store: Pick<Store, 'getKv'>, bootId: string): boolean {
  return store.getKv(KV_RECONCILE_BOOT) === bootId;
}
