import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

/**
 * Loads one of lifeline's own CommonJS bundles (dist/main.cjs, dist/hook.cjs) with V8's code cache.
 * Compiling main.cjs is about 10 ms of every full command, and of a foreground launch's
 * preparation, which the prompt waits for; with the cache V8 skips most of it. Node 22 has
 * `module.enableCompileCache()`; Node 20 does not, so this does what it does, for our files only.
 *
 * The cache sits beside the bundle (`main.cjs.v8cache`): it is exactly as trusted as the code next
 * to it, never in the state folder, and a package folder we may not write simply goes without.
 * Its first line names the source by its SHA-256: V8 itself only checks the source's length, so a
 * rebuilt bundle must never meet the cache of the old one (node:crypto is loaded by every full
 * command anyway; hashing main.cjs takes well under a millisecond). A cache V8 rejects (another
 * Node) is written again, whole, through a rename.
 */
interface ModuleInternals {
  wrap(source: string): string;
  _nodeModulePaths(folder: string): string[];
}
type LoadedModule = { exports: unknown; filename: string; paths: string[]; loaded: boolean };
type ModuleConstructor = new (id: string, parent?: unknown) => LoadedModule;

/** The cache's first line: which source it was made from (a digest: a rebuild within one clock tick keeps the mtime). */
function identity(source: string): string {
  return `lifeline-v8cache ${process.version} ${createHash('sha256').update(source).digest('hex')}\n`;
}

function readCache(file: string, key: string): Buffer | undefined {
  try {
    const bytes = readFileSync(file);
    const head = Buffer.from(key);
    return bytes.subarray(0, head.length).equals(head) ? bytes.subarray(head.length) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, key: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(key), data]), { mode: 0o644, flag: 'wx' });
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}

export function loadBundle<T>(script: string): T {
  const source = readFileSync(script, 'utf8');
  const key = identity(source);
  const cacheFile = `${script}.v8cache`;
  const cachedData = readCache(cacheFile, key);
  const internals = Module as unknown as ModuleInternals;
  const compiled = new Script(internals.wrap(source), { filename: script, cachedData });
  const folder = dirname(script);
  const loaded = new (Module as unknown as ModuleConstructor)(script);
  loaded.filename = script;
  loaded.paths = internals._nodeModulePaths(folder);
  const wrapper = compiled.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(loaded.exports, loaded.exports, createRequire(script), loaded, script, folder);
  loaded.loaded = true;
  // Made at exit, so that the functions this command compiled are in it too.
  if (cachedData === undefined || compiled.cachedDataRejected === true) process.once('exit', () => writeCache(cacheFile, key, compiled.createCachedData()));
  return loaded.exports as T;
}
