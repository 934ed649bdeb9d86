import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import type { CliResult } from './cli.js';

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

const DIST = fileURLToPath(new URL('../../', import.meta.url));
const CHECKOUT = join(DIST, '..');

let copied: string | null = null;

/**
 * A copy of the built binary and the packages it loads in a temp folder anyone may read, so a test
 * that runs lifeline as `nobody` does not depend on whether nobody can read the checkout.
 */
export function portableCli(): string {
  if (copied !== null) return copied;
  const root = mkdtempSync(join(tmpdir(), 'lifeline-portable-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dist = join(root, 'dist');
  mkdirSync(dist);
  for (const file of ['cli.cjs', 'main.cjs', 'supervise.cjs']) cpSync(join(DIST, file), join(dist, file));
  cpSync(join(CHECKOUT, 'package.json'), join(root, 'package.json'));
  const modules = join(CHECKOUT, 'node_modules');
  for (const pkg of ['bindings', 'file-uri-to-path', 'pidusage']) cpSync(join(modules, pkg), join(root, 'node_modules', pkg), { recursive: true });
  const sqlite = join(modules, 'better-sqlite3');
  for (const part of ['package.json', 'lib', 'build/Release/better_sqlite3.node']) {
    cpSync(join(sqlite, part), join(root, 'node_modules', 'better-sqlite3', part), { recursive: true });
  }
  spawnSync('chmod', ['-R', 'a+rX', root]);
  chmodSync(root, 0o755);
  copied = join(dist, 'cli.cjs');
  return copied;
}

/** Runs lifeline as `nobody` from the portable copy. */
export function cliAsNobody(args: readonly string[], env: NodeJS.ProcessEnv, cwd = '/'): CliResult {
  const result = spawnSync(process.execPath, [portableCli(), ...args], { env, cwd, encoding: 'utf8', timeout: 60_000, uid: NOBODY, gid: NOBODY });
  if (result.error !== undefined) throw result.error;
  return { code: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}
