/**
 * `npm test`: runs every test file with Node's test runner, then checks that the run left nothing
 * behind. Node 20's runner has no global teardown, so this wrapper is the one place that sees the
 * whole run end.
 *
 * Several suites may run on one machine at once (other checkouts, CI jobs), so this run's leftovers
 * are told apart precisely: every process the tests start inherits LIFELINE_TEST_RUN=<unique id>
 * (found again in /proc/<pid>/environ), and every temp folder goes into a TMPDIR of this run's own.
 * Other runs' processes and folders are never counted, let alone killed.
 *
 * Usage: node dist/test/suite/run.js [test files...]   (default: every dist/test/**\/*.test.js)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findLeftovers, killLeftovers, RUN_VARIABLE, type Leftovers } from './leftovers.js';

const testRoot = fileURLToPath(new URL('..', import.meta.url));

function testFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) return testFiles(path);
      return entry.name.endsWith('.test.js') ? [path] : [];
    })
    .sort();
}

async function waitUntilClean(runId: string, runTmp: string, graceMs: number): Promise<Leftovers> {
  // A supervisor whose program a test just killed needs a moment to record the exit and go.
  const deadline = Date.now() + graceMs;
  for (;;) {
    const found = findLeftovers(runId, runTmp);
    if ((found.processes.length === 0 && found.paths.length === 0) || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function describe(found: Leftovers): string[] {
  return [
    ...found.processes.map((p) => `  process ${p.pid} (uid ${p.uid}): ${p.command}`),
    ...found.paths.map((path) => `  temp ${path}`),
  ];
}

async function main(): Promise<number> {
  const runId = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const runTmp = mkdtempSync(join(tmpdir(), 'lifeline-run-'));
  // Traversable by everyone: some tests drop to `nobody`, who must reach the temp folders made for them.
  chmodSync(runTmp, 0o755);
  const files = process.argv.length > 2 ? process.argv.slice(2) : testFiles(testRoot);

  const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    env: { ...process.env, [RUN_VARIABLE]: runId, TMPDIR: runTmp },
  });
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const testCode = await new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128))));

  const started = Date.now();
  const found = await waitUntilClean(runId, runTmp, 3000);
  const clean = found.processes.length === 0 && found.paths.length === 0;
  if (clean) {
    process.stdout.write(`# leftovers: none (run ${runId}, checked in ${Date.now() - started} ms)\n`);
  } else {
    process.stderr.write(`# leftovers: this run left ${found.processes.length} process(es) and ${found.paths.length} temp path(s) behind:\n`);
    process.stderr.write(`${describe(found).join('\n')}\n`);
    const killed = killLeftovers(found.processes, runId, runTmp);
    process.stderr.write(`# leftovers: killed ${killed} process(es) and removed ${runTmp}\n`);
  }
  rmSync(runTmp, { recursive: true, force: true });
  if (testCode !== 0) return testCode;
  return clean ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`test runner: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
