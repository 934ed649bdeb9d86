import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { inReadableInstall } from './as-nobody.js';

/** The built binary (package.json `bin`): end-to-end tests run lifeline exactly as a user's shell would. */
export const CLI = fileURLToPath(new URL('../../cli.cjs', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cli(args: readonly string[], env: NodeJS.ProcessEnv, options: SpawnSyncOptions = {}): CliResult {
  // Another user may not be able to read the checkout: it runs a readable copy, from a folder it may enter.
  const otherUser = options.uid !== undefined && options.uid !== process.getuid?.();
  const result = spawnSync(process.execPath, [otherUser ? inReadableInstall(CLI) : CLI, ...args], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
    ...(otherUser ? { cwd: '/' } : {}),
    ...options,
  });
  if (result.error !== undefined) throw result.error;
  return { code: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function cliJson<T = unknown>(args: readonly string[], env: NodeJS.ProcessEnv): T {
  const result = cli([...args, '--json'], env);
  if (result.code !== 0) throw new Error(`lifeline ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Starts lifeline without waiting: for foreground launches that a test stops or signals. */
export function cliAsync(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): ChildProcess & { done: Promise<CliResult>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  // `done` waits for the output pipes to close, which a surviving grandchild may hold open;
  // `exited` is lifeline's own exit.
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return Object.assign(child, { done, exited });
}
