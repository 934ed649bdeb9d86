import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const loader = new URL('../src/own-bundle.js', import.meta.url).href;

/** Loads `bundle` with loadBundle in a fresh Node, as cli.ts does, and returns what it exported. */
function load(bundle: string): string {
  const script = `import { loadBundle } from ${JSON.stringify(loader)}; process.stdout.write(String(loadBundle(process.argv[1]).value));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, bundle], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-bundle-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const header = (source: string): string => `lifeline-v8cache ${process.version} ${createHash('sha256').update(source).digest('hex')}\n`;

test('a bundle is compiled once into a cache beside it, which the next start uses as it is', () => {
  const dir = folder();
  const bundle = join(dir, 'b.cjs');
  const source = `function twice(x) { return x * 2; }\nmodule.exports = { value: 'v' + twice(21) };\n`;
  writeFileSync(bundle, source);
  assert.equal(load(bundle), 'v42');
  const cache = `${bundle}.v8cache`;
  const made = readFileSync(cache);
  assert.equal(made.subarray(0, header(source).length).toString(), header(source));
  assert.ok(made.length > header(source).length + 100, 'V8 code follows the header');
  const before = statSync(cache);
  assert.equal(load(bundle), 'v42');
  const again = statSync(cache);
  assert.deepEqual([again.ino, again.mtimeMs], [before.ino, before.mtimeMs], 'an accepted cache is not written again');
});

test('a bundle rebuilt to the same length never runs the old code from the cache (V8 checks only the length)', () => {
  const dir = folder();
  const bundle = join(dir, 'b.cjs');
  writeFileSync(bundle, `module.exports = { value: 'aaaa' };\n`);
  assert.equal(load(bundle), 'aaaa');
  const rebuilt = `module.exports = { value: 'bbbb' };\n`;
  writeFileSync(bundle, rebuilt); // In place, within the same clock tick as far as mtime can tell.
  assert.equal(load(bundle), 'bbbb');
  assert.equal(readFileSync(`${bundle}.v8cache`).subarray(0, header(rebuilt).length).toString(), header(rebuilt), 'made again for the new source');
});

test('a cache V8 rejects (damaged, or from another Node) is compiled around and written again', () => {
  const dir = folder();
  const bundle = join(dir, 'b.cjs');
  const source = `module.exports = { value: 'ok' };\n`;
  writeFileSync(bundle, source);
  const cache = `${bundle}.v8cache`;
  writeFileSync(cache, Buffer.concat([Buffer.from(header(source)), Buffer.alloc(4096, 7)]));
  const planted = statSync(cache).ino;
  assert.equal(load(bundle), 'ok');
  const rewritten = readFileSync(cache);
  assert.notEqual(statSync(cache).ino, planted, 'replaced through a rename');
  assert.notDeepEqual(rewritten.subarray(header(source).length, header(source).length + 16), Buffer.alloc(16, 7));
});
