import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export interface TestHome {
  readonly dir: string;
  readonly db: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * A fresh LIFELINE_HOME in a temp folder, removed after the test file. The environment is the
 * test's own minus anything lifeline reads, so a developer's real registry is never touched.
 */
export function makeHome(extraEnv: NodeJS.ProcessEnv = {}): TestHome {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-test-'));
  const env: NodeJS.ProcessEnv = { ...process.env, LIFELINE_HOME: dir, NO_COLOR: '1', ...extraEnv };
  delete env['LIFELINE_DB'];
  delete env['LIFELINE_INSTANCE_ID'];
  delete env['LIFELINE_NAME'];
  if (extraEnv['LIFELINE_PROC_ROOT'] === undefined) delete env['LIFELINE_PROC_ROOT'];
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, db: join(dir, 'lifeline.db'), env };
}
