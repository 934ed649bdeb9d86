import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { dump, events } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { cleanupLater } from './helpers/processes.js';

interface Entry {
  name: string;
  state: string;
  bindings: { kind: string; value: string }[];
  resume_argv: string[] | null;
}

test('forget hides stopped names from list --all until a later stop; live and unknown names are refused', () => {
  const home = makeHome();
  for (const name of ['typo', 'keep', 'again']) assert.equal(cli(['launch', name, '--', 'true'], home.env).code, 0);
  assert.equal(cli(['launch', 'live', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  cleanupLater(cliJson<{ pid: number }[]>(['list'], home.env)[0]!.pid);
  const stoppedNames = (): string[] => cliJson<Entry[]>(['list', '--all'], home.env).filter((e) => e.state === 'stopped').map((e) => e.name).sort();
  assert.deepEqual(stoppedNames(), ['again', 'keep', 'typo']);

  assert.equal(cli(['forget', 'typo', 'again'], home.env).stdout, 'typo: forgotten\nagain: forgotten\n');
  assert.deepEqual(stoppedNames(), ['keep']);
  assert.equal(cli(['forget', 'typo'], home.env).stdout, 'typo: already forgotten\n');
  const forgotten = events(home.db, 'life.forgotten');
  assert.deepEqual(forgotten.map((e) => [e.instance, e.data.by]), [['typo', 'user'], ['again', 'user']]);
  assert.equal((forgotten[0]!.data as { stopped?: number }).stopped, events(home.db, 'life.stopped').find((e) => e.instance === 'typo')!.id);

  const before = dump(home.db);
  const live = cli(['forget', 'keep', 'live'], home.env);
  assert.equal(live.code, 1);
  assert.match(live.stderr, /^lifeline: live is running \(pid \d+\); only a stopped instance can be forgotten \(lifeline stop live first\)\n$/);
  const unknown = cli(['forget', 'kep'], home.env);
  assert.equal(unknown.stderr, 'lifeline: no stopped instance named "kep"; did you mean keep?\n');
  assert.equal(cli(['forget'], home.env).code, 2);
  assert.equal(dump(home.db), before, 'a refused forget writes nothing');

  // A new life of a forgotten name that stops shows again.
  assert.equal(cli(['launch', 'again', '--', 'true'], home.env).code, 0);
  assert.deepEqual(stoppedNames(), ['again', 'keep']);
  assert.equal(cli(['forget', '--all-stopped'], home.env).stdout, 'keep: forgotten\nagain: forgotten\n');
  assert.deepEqual(stoppedNames(), []);
  assert.equal(cli(['stop', 'live'], home.env).code, 0);
});

test('show gives the row or the newest snapshot, bindings, the command r would run, and the last events; list --json carries bindings and resume_argv', () => {
  const home = makeHome();
  const folder = join(home.dir, 'proj');
  mkdirSync(folder);
  const launched = cli(['launch', 'agent', '--detach', '--tag', 'ai', '--resume', "sh -c 'exec sleep 300' {session}", '--bind', 'session=s-1', '--', 'sleep', '300'], home.env, { cwd: folder });
  assert.equal(launched.code, 0, launched.stderr);
  const [entry] = cliJson<(Entry & { pid: number })[]>(['list'], home.env);
  cleanupLater(entry!.pid);
  assert.deepEqual(entry!.bindings, [{ kind: 'session', value: 's-1' }]);
  assert.deepEqual(entry!.resume_argv, ['sh', '-c', 'exec sleep 300', '{session}']);

  const live = cliJson<Record<string, unknown>>(['show', 'agent'], home.env);
  assert.equal(live['state'], 'running');
  assert.equal((live['row'] as Record<string, unknown>)['pid'], entry!.pid);
  assert.equal(live['snapshot'], null);
  assert.deepEqual(live['resume'], { argv: ['sh', '-c', 'exec sleep 300', 's-1'], cwd: folder, mode: 'detached', tmux: null });
  assert.deepEqual((live['events'] as { type: string }[]).map((e) => e.type), ['life.started']);

  assert.equal(cli(['stop', 'agent'], home.env).code, 0);
  const stopped = cliJson<Record<string, unknown>>(['show', 'agent'], home.env);
  assert.equal(stopped['state'], 'stopped');
  assert.equal(stopped['row'], null);
  assert.equal((stopped['snapshot'] as Record<string, unknown>)['tag'], 'ai');
  assert.deepEqual(stopped['bindings'], [{ kind: 'session', value: 's-1' }]);
  assert.deepEqual((stopped['stopped'] as Record<string, unknown>)['reason'], 'stopped');
  assert.deepEqual((stopped['events'] as { type: string }[]).map((e) => e.type), ['life.stopped', 'life.started']);
  const [gone] = cliJson<Entry[]>(['list', '--all'], home.env);
  assert.deepEqual([gone!.state, gone!.bindings, gone!.resume_argv], ['stopped', [{ kind: 'session', value: 's-1' }], ['sh', '-c', 'exec sleep 300', '{session}']]);

  const human = cli(['show', 'agent'], home.env).stdout;
  assert.match(human, /^name: {5}agent\nstate: {4}stopped .* \(stopped, by user\)\n/);
  assert.match(human, new RegExp(`\\nbindings: session=s-1\\nresume: {3}lifeline r agent runs detached, in ${folder}:\\n {10}sh -c 'exec sleep 300' s-1\\n`));
  const unknown = cli(['show', 'agnet'], home.env);
  assert.equal(unknown.stderr, 'lifeline: no instance named "agnet"; did you mean agent?\n');
});
