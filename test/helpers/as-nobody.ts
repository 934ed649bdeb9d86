/**
 * Running lifeline as another user (`nobody`) for the other-user cases. That user may not be able to
 * read the checkout at all (root's clone in /root is 0700), so it runs a copy of the installed program
 * (bundles, package.json, runtime packages) made in a temp folder everyone can read. `cli()` with a
 * `uid` option uses it by itself.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CliResult } from './cli.js';

export const NOBODY = 65534;
export const isRoot = process.getuid?.() === 0;

/** The checkout: dist/test/helpers/ → the top. */
const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** `false` when a test may drop to `nobody`, else the reason it is skipped. */
export function dropSkip(): string | false {
  if (!isRoot) return 'needs root to drop privileges';
  const probe = spawnSync(process.execPath, ['-e', '0'], { uid: NOBODY, gid: NOBODY, cwd: '/', stdio: 'ignore' });
  if (probe.status !== 0) return `nobody cannot run ${process.execPath}`;
  // The folders made for nobody live in the temp folder: a TMPDIR inside a private folder is out of its reach.
  const reach = spawnSync(process.execPath, ['-e', 'require("fs").statSync(process.argv[1])', tmpdir()], { uid: NOBODY, gid: NOBODY, cwd: '/', stdio: 'ignore' });
  return reach.status === 0 ? false : `nobody cannot reach the temp folder ${tmpdir()} (TMPDIR inside a private folder)`;
}

function packageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find the package ${name} from ${from}`);
  }
}

/** The folders of the packages the program needs at run time: `dependencies`, transitively. */
function runtimePackages(): string[] {
  const seen = new Set<string>();
  const visit = (dir: string): void => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      const found = packageDir(name, dir);
      if (seen.has(found)) continue;
      seen.add(found);
      visit(found);
    }
  };
  visit(packageRoot);
  return [...seen];
}

/** A native package needs its compiled addon, not its sources or build tree. */
function wanted(packageFolder: string, native: boolean): (path: string) => boolean {
  return (path) => {
    if (!native) return true;
    const inside = relative(packageFolder, path).split(sep);
    if (inside[0] === 'deps' || inside[0] === 'src') return false;
    if (inside[0] !== 'build') return true;
    return inside.length === 1 || (inside[1] === 'Release' && (inside.length === 2 || (inside.length === 3 && inside[2]!.endsWith('.node'))));
  };
}

let copyRoot: string | null = null;

// Registered at load, so it runs when the test file ends (an `after` inside a test runs when that test ends).
after(() => {
  if (copyRoot !== null) rmSync(copyRoot, { recursive: true, force: true });
});

/** The copy's top folder, made once per test file (removed when the file ends). */
export function readableInstall(): string {
  if (copyRoot !== null) return copyRoot;
  const root = mkdtempSync(join(tmpdir(), 'lifeline-install-'));
  copyRoot = root;
  chmodSync(root, 0o755);
  cpSync(join(packageRoot, 'package.json'), join(root, 'package.json'));
  for (const name of readdirSync(join(packageRoot, 'dist'))) {
    if (name.endsWith('.cjs')) cpSync(join(packageRoot, 'dist', name), join(root, 'dist', name));
  }
  if (existsSync(join(packageRoot, 'bin'))) cpSync(join(packageRoot, 'bin'), join(root, 'bin'), { recursive: true });
  for (const folder of runtimePackages()) {
    const native = existsSync(join(folder, 'binding.gyp'));
    cpSync(folder, join(root, relative(packageRoot, folder)), { recursive: true, filter: wanted(folder, native) });
  }
  // cpSync keeps the modes of the sources; a folder made by mkdir gets the umask's: make all readable.
  spawnSync('chmod', ['-R', 'a+rX', root]);
  return root;
}

/** The same file as `path` (inside the checkout) in the readable copy. */
export function inReadableInstall(path: string): string {
  return join(readableInstall(), relative(packageRoot, path));
}

/** The built binary's entry in the readable copy. */
export function portableCli(): string {
  return join(readableInstall(), 'dist', 'cli.cjs');
}

/** Runs lifeline as `nobody` from the readable copy. */
export function cliAsNobody(args: readonly string[], env: NodeJS.ProcessEnv, cwd = '/'): CliResult {
  const result = spawnSync(process.execPath, [portableCli(), ...args], { env, cwd, encoding: 'utf8', timeout: 60_000, uid: NOBODY, gid: NOBODY });
  if (result.error !== undefined) throw result.error;
  return { code: result.status, signal: result.signal, stdout: String(result.stdout), stderr: String(result.stderr) };
}
