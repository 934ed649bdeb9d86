import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeHome } from './helpers/home.js';
import { have } from './helpers/processes.js';

const DIST = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(DIST, 'cli.cjs');

/** Which of our bundles a command opened, from strace (one file per process: no split lines). */
function bundlesOpened(args: readonly string[], env: NodeJS.ProcessEnv, folder: string): string[] {
  const traces = mkdtempSync(join(folder, 'trace-'));
  const result = spawnSync('strace', ['-ff', '-qq', '-e', 'trace=openat', '-o', join(traces, 't'), process.execPath, CLI, ...args], { env, encoding: 'utf8' });
  assert.ok(result.status === 0 || result.status === 2, result.stderr);
  const opened = new Set<string>();
  for (const file of readdirSync(traces)) {
    for (const match of readFileSync(join(traces, file), 'utf8').matchAll(/openat\([^"]*"[^"]*\/dist\/(main|launch|hook)\.cjs"/g)) opened.add(match[1]!);
  }
  return [...opened].sort();
}

/** Runs `main(args)` of one bundle directly and returns what it printed. */
function runBundle(bundle: string, args: readonly string[], env: NodeJS.ProcessEnv): { code: number | null; stdout: string; stderr: string } {
  const script = `require(${JSON.stringify(join(DIST, bundle))}).main(JSON.parse(process.argv[1])).then((c) => { process.exitCode = c; }, (e) => { process.stderr.write(String(e.message)); process.exitCode = 9; });`;
  const result = spawnSync(process.execPath, ['-e', script, JSON.stringify(args)], { env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('launch and r load the bundle that holds only them; every other command the full one', { skip: have('strace') ? false : 'needs strace' }, () => {
  const home = makeHome();
  assert.deepEqual(bundlesOpened(['launch', '--help'], home.env, home.dir), ['launch']);
  assert.deepEqual(bundlesOpened(['--db', join(home.dir, 'x.db'), 'r', '--help'], home.env, home.dir), ['launch']);
  assert.deepEqual(bundlesOpened(['resume', '--help'], home.env, home.dir), ['launch']);
  assert.deepEqual(bundlesOpened(['list', '--help'], home.env, home.dir), ['main']);
  assert.deepEqual(bundlesOpened(['--version'], home.env, home.dir), ['main']);
});

test('the launch bundle answers launch and r as the full one does, and refuses to be used for anything else', () => {
  const home = makeHome();
  for (const args of [['launch', '--help'], ['r', '--help'], ['launch', 'x', '--nope', '--', 'true'], ['r']]) {
    assert.deepEqual(runBundle('launch.cjs', args, home.env), runBundle('main.cjs', args, home.env), args.join(' '));
  }
  const other = runBundle('launch.cjs', ['list'], home.env);
  assert.equal(other.code, 9);
  assert.match(other.stderr, /commands\/list\.js is not in dist\/launch\.cjs/);
});
