import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Installs one pinned agent CLI into a cache folder of its own (never globally) and reuses it on
 * later runs. The install goes to a `.partial-<pid>` folder first and is renamed into place only when
 * complete, so an interrupted download is never mistaken for a usable copy.
 */

export interface AgentPackage {
  readonly pkg: string;
  readonly version: string;
  readonly bin: string;
  /** A setup script inside the package that must run after an `--ignore-scripts` install (run with node, offline). */
  readonly postinstall?: string;
}

export type InstallOutcome =
  | { readonly kind: 'ready'; readonly binDir: string; readonly cached: boolean; readonly ms: number }
  | { readonly kind: 'skip'; readonly reason: string };

const INSTALL_TIMEOUT_MS = 10 * 60_000;
const COMPLETE_MARK = '.lifeline-installed';

export function agentCacheRoot(): string {
  const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'lifeline-test-agents');
}

export function installFolder(agent: AgentPackage): string {
  return join(agentCacheRoot(), `${agent.pkg.replace('/', '+')}@${agent.version}`);
}

function installedVersion(folder: string, agent: AgentPackage): string | null {
  try {
    const manifest = JSON.parse(readFileSync(join(folder, 'node_modules', agent.pkg, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return manifest.version ?? null;
  } catch {
    return null;
  }
}

/** What the marker file holds: a copy made by an older recipe of this file is not reused. */
function recipe(agent: AgentPackage): string {
  return `${agent.pkg}@${agent.version} --ignore-scripts${agent.postinstall ? ` + node ${agent.postinstall}` : ''}\n`;
}

function usable(folder: string, agent: AgentPackage): boolean {
  let mark = '';
  try {
    mark = readFileSync(join(folder, COMPLETE_MARK), 'utf8');
  } catch {
    return false;
  }
  return (
    mark === recipe(agent) &&
    existsSync(join(folder, 'node_modules', '.bin', agent.bin)) &&
    installedVersion(folder, agent) === agent.version
  );
}

/**
 * npm without what `npm run test:agents` exported about this project (its prefix, package and
 * script), so `--prefix` alone decides where it writes; the user's registry, proxy and cache
 * settings stay.
 */
function npm(args: readonly string[], timeoutMs: number): { ok: boolean; output: string } {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_(package_|lifecycle_|config_(local_prefix|prefix|global)$)/i.test(key)) env[key] = value;
  }
  env['npm_config_update_notifier'] = 'false';
  const result = spawnSync('npm', args, { env, encoding: 'utf8', timeout: timeoutMs });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  return { ok: result.status === 0, output };
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

/** npm's own one-line reason ("request to … failed, reason: …", else its error code), not its stack. */
function npmReason(output: string): string {
  const lines = output.split('\n').map((line) => line.replace(/^npm (error|ERR!) /, '').trim());
  return (
    lines.find((line) => /reason:/.test(line)) ??
    lines.find((line) => /^code /.test(line)) ??
    lastLines(output, 1)
  ).replace(/^FetchError: /, '');
}

export function installAgent(agent: AgentPackage): InstallOutcome {
  const folder = installFolder(agent);
  const binDir = join(folder, 'node_modules', '.bin');
  if (usable(folder, agent)) return { kind: 'ready', binDir, cached: true, ms: 0 };

  const started = Date.now();
  const spec = `${agent.pkg}@${agent.version}`;
  // Asked first, with few retries: an unreachable registry costs seconds, not npm's minutes of backoff.
  const probe = npm(['view', spec, 'version', '--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000'], 60_000);
  if (!probe.ok) return { kind: 'skip', reason: `cannot reach the npm registry to install ${spec}: ${npmReason(probe.output)}` };

  const partial = `${folder}.partial-${process.pid}`;
  let install = { ok: false, output: '' };
  // Twice at most: the registry answered a moment ago, so one failed download may be a hiccup.
  for (let attempt = 1; attempt <= 2 && !install.ok; attempt++) {
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    // npm refuses `--no-save` in a folder without a manifest.
    writeFileSync(join(partial, 'package.json'), '{"private": true}\n');
    // --ignore-scripts: every npm version behaves alike (npm 11 skips unapproved scripts anyway, and
    // gemini's node-pty would want a compiler); the one setup step an agent needs runs below.
    install = npm(['install', '--prefix', partial, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', spec], INSTALL_TIMEOUT_MS);
  }
  if (!install.ok) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(`npm install ${spec} failed twice although the registry answers:\n${lastLines(install.output, 20)}`);
  }
  if (installedVersion(partial, agent) !== agent.version) {
    throw new Error(`npm install ${spec} did not leave ${agent.pkg} ${agent.version} in ${partial}`);
  }
  if (agent.postinstall !== undefined) {
    const packageFolder = join(partial, 'node_modules', agent.pkg);
    const setup = spawnSync(process.execPath, [agent.postinstall], { cwd: packageFolder, encoding: 'utf8', timeout: 120_000 });
    if (setup.status !== 0) {
      throw new Error(`${spec}: node ${agent.postinstall} failed:\n${lastLines(`${setup.stdout}${setup.stderr}`, 20)}`);
    }
  }
  writeFileSync(join(partial, COMPLETE_MARK), recipe(agent));
  rmSync(folder, { recursive: true, force: true });
  try {
    renameSync(partial, folder);
  } catch (error) {
    // Another run finished the same install first: use its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!usable(folder, agent)) throw error;
  }
  return { kind: 'ready', binDir, cached: false, ms: Date.now() - started };
}
