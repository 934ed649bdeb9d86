import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A proc-root fixture folder (see fixtures/proc/README.md). Tests run from dist/test/, the fixtures stay at the top. */
export function procFixture(name: string): string {
  return fileURLToPath(new URL(`../../../fixtures/proc/${name}`, import.meta.url));
}

export function fixtureBootId(name: string): string {
  return readFileSync(`${procFixture(name)}/sys/kernel/random/boot_id`, 'utf8').trim();
}
