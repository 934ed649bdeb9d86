import type { Store } from '../../store/store.js';
import { KV_RECONCILE_BOOT } from '../vocabulary.js';

/**
 * The question asked at every shell start: was this boot already reconciled? One kv read. Its own
 * module so the guarded path loads nothing of the verdict and stop machinery.
 */
export function alreadyReconciled(store: Pick<Store, 'getKv'>, bootId: string): boolean {
  return store.getKv(KV_RECONCILE_BOOT) === bootId;
}

/** What `reconcile` says when the boot guard holds (the guarded path in src/guarded.ts and the full command). */
export function alreadyReconciledMessage(bootId: string): string {
  return `boot ${bootId} is already reconciled; nothing to do (--force runs it again)`;
}
