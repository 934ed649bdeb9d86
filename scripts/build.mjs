// `npm run build`: type-check and compile everything with tsc (dist/src, dist/test: what the tests run),
// then bundle the programs lifeline ships with esbuild. Each option below says why it is set.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { build } from 'esbuild';

const require = createRequire(import.meta.url);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { stdio: 'inherit' });

const options = {
  // cli.ts: the entry, small on purpose (the guarded reconcile runs at every shell start); main.ts: the
  // full CLI, loaded by cli.ts only when needed; supervise.ts: the parent of a detached program;
  // waiter.ts: the Node helper bin/lifeline-wait calls; hook.ts: an agent's start hook, which the agent
  // waits for, so it loads only what recording a session needs.
  entryPoints: ['src/cli.ts', 'src/main.ts', 'src/supervise.ts', 'src/waiter.ts', 'src/hook.ts'],
  // One file per program: no node_modules lookups at start-up, which costs the guarded path most.
  bundle: true,
  platform: 'node',
  // package.json "engines": node >= 20.
  target: 'node20',
  // jsonc-parser's "main" is a UMD build whose require() calls esbuild cannot follow (the bundle would
  // fail with "Cannot find module './impl/format'"); its "module" build is plain ESM and bundles.
  mainFields: ['module', 'main'],
  // CommonJS loads synchronously and fastest in Node 20; citty and consola are ESM-only and get bundled in.
  format: 'cjs',
  outdir: 'dist',
  // The package is "type": "module", so a CommonJS bundle must be named .cjs.
  outExtension: { '.js': '.cjs' },
  external: [
    // A native addon: it cannot be bundled, and open.ts points it at its own .node file.
    'better-sqlite3',
    // Only `list` uses it: left a require that runs when list's module loads, so no other command parses it.
    'pidusage',
    // cli.ts loads the main bundle at run time (src/self.ts mainScript); it must not be pulled into cli.cjs.
    './main.js',
    // Likewise the hook bundle (src/self.ts hookScript), loaded by cli.ts only for `lifeline hook`.
    './hook.js',
  ],
  // import.meta does not exist in CommonJS; self.ts falls back to __filename when it is undefined.
  define: { 'import.meta.url': 'undefined' },
  // Quiet on success; warnings and errors still show.
  logLevel: 'warning',
};
await build(options);

// dist/launch.cjs: main.ts again, with only `launch` and `r`/`resume` in it. A foreground launch's
// preparation is what the prompt waits for, and half of main.cjs (the agents' configuration parsers,
// the other commands) is code it never runs but would still read and compile. cli.ts picks this
// bundle for those commands (src/self.ts launchScript); every other command's dynamic import in
// main.ts resolves to a module that throws, so a slip cannot go unnoticed.
const LAUNCH_COMMANDS = new Set(['./commands/launch.js', './commands/resume.js']);
await build({
  ...options,
  entryPoints: { launch: 'src/main.ts' },
  plugins: [
    {
      name: 'only-launch-commands',
      setup(b) {
        b.onResolve({ filter: /^\.\/commands\/[a-z-]+\.js$/ }, (args) =>
          args.kind === 'dynamic-import' && args.importer.endsWith('src/main.ts') && !LAUNCH_COMMANDS.has(args.path)
            ? { path: args.path, namespace: 'not-in-launch-bundle' }
            : undefined,
        );
        b.onLoad({ filter: /.*/, namespace: 'not-in-launch-bundle' }, (args) => ({
          contents: `throw new Error(${JSON.stringify(`${args.path} is not in dist/launch.cjs (src/self.ts launchScript picks the bundle)`)});`,
          loader: 'js',
        }));
      },
    },
  ],
});
