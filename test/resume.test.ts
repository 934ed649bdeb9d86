import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliJson } from './helpers/cli.js';
import { events, insertBinding, insertRow, rows } from './helpers/db.js';
import { makeHome } from './helpers/home.js';
import { bootId, cleanupLater, isAlive, startSleeper } from './helpers/processes.js';
import { createDatabase } from './helpers/seed.js';

interface Plan {
  name: string;
  argv: string[];
  cwd: string;
  resumed_from: number | null;
}

test('r fills the resume template from the bindings, in the recorded folder, and links the lives', () => {
  const home = makeHome();
  const project = join(home.dir, 'project');
  mkdirSync(project);
  const first = cli(
    ['launch', 'alice', '--resume', `sh -c 'echo "$0 $1 $2 $PWD"' {session} {name} "{port}"`, '--', 'sh', '-c', 'exit 0'],
    home.env,
    { cwd: project },
  );
  assert.equal(first.code, 0, first.stderr);
  // The agent's hook binds its session id; it ends; the snapshot keeps the binding.
  insertRow(home.db, { name: 'alice', pid: null, boot_id: bootId(), cwd: project, resume_argv: ['sh', '-c', 'echo "$0 $1 $2 $PWD"', '{session}', '{name}', '{port}'] });
  assert.equal(cli(['bind', 'alice', 'session=old', 'port=1'], home.env).code, 0);
  assert.equal(cli(['bind', 'alice', 'session=abc-123'], home.env).code, 0, 'session is single-valued: the new one replaces the old');
  assert.equal(cli(['stop', 'alice'], home.env).code, 0);
  const snapshotId = events(home.db, 'life.stopped').at(-1)!.id;

  const plan = cliJson<Plan>(['r', 'alice', '--dry-run'], home.env);
  assert.deepEqual(plan, { name: 'alice', argv: ['sh', '-c', 'echo "$0 $1 $2 $PWD"', 'abc-123', 'alice', '1'], cwd: project, resumed_from: snapshotId, detached: false, tmux: null });

  const resumed = cli(['resume', 'alice'], home.env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.stdout, `abc-123 alice 1 ${realpathSync(project)}\n`);
  const started = events(home.db, 'life.started').at(-1)!;
  assert.equal(started.data.resumed_from, snapshotId);
  const restored = events(home.db, 'life.stopped').at(-1)!.data.snapshot!['bindings'];
  assert.deepEqual(
    restored,
    [{ kind: 'port', value: '1' }, { kind: 'session', value: 'abc-123' }],
    'every binding restored, in order (session holds one value)',
  );
});

test('r with no template reruns the original argv; a missing folder is an error naming --cwd', () => {
  const home = makeHome();
  const gone = join(home.dir, 'gone');
  mkdirSync(gone);
  assert.equal(cli(['launch', 'bob', '--', 'pwd'], home.env, { cwd: gone }).code, 0);
  rmSync(gone, { recursive: true });

  const before = events(home.db).length;
  const refused = cli(['r', 'bob'], home.env);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `lifeline: the folder ${gone} of bob no longer exists; pass --cwd DIR to resume it somewhere else\n`);
  assert.equal(events(home.db).length, before, 'nothing written');

  const elsewhere = cli(['r', 'bob', '--cwd', home.dir], home.env);
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
  assert.equal(elsewhere.stdout, `${realpathSync(home.dir)}\n`);
});

test('r refuses a name held by a verified live instance, and stops a ghost first', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'carol', '--detach', '--', 'sleep', '300'], home.env).code, 0);
  const pid = Number(rows(home.db)[0]!['pid']);
  cleanupLater(pid);
  const refused = cli(['r', 'carol'], home.env);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, `lifeline: carol is running (pid ${pid}); stop it first or pick another name\n`);
  assert.equal(isAlive(pid), true);

  // A ghost: a row whose pid now holds a stranger (another start time).
  const stranger = startSleeper();
  insertRow(home.db, { name: 'dave', pid: stranger.pid, boot_id: bootId(), proc_start: 'linux:1', argv: ['true'], cwd: home.dir });
  insertBinding(home.db, 'dave', 'session', 's-dave');
  const resumed = cli(['r', 'dave'], home.env);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(isAlive(stranger.pid), true, 'the stranger on the ghost pid is untouched');
  const daveEvents = events(home.db).filter((e) => e.instance === 'dave');
  assert.deepEqual(daveEvents.map((e) => [e.type, e.data.by, e.data.reason ?? null]), [
    ['life.stopped', 'user', 'exit:pid-reused'],
    ['life.started', 'user', null],
    ['life.stopped', 'self', 'exit:code:0'],
  ]);
  assert.equal(daveEvents[1]!.data.resumed_from, daveEvents[0]!.id);
});

test('a template placeholder with no binding is an error that names it', () => {
  const home = makeHome();
  createDatabase(home);
  insertRow(home.db, { name: 'erin', pid: null, boot_id: bootId(), cwd: home.dir, resume_argv: ['claude', '--resume', '{session}'] });
  assert.equal(cli(['stop', 'erin'], home.env).code, 0);
  const result = cli(['r', 'erin', '--dry-run'], home.env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: the resume template needs {session}, but the instance has no session binding\n');
});

test('r of a name that never stopped suggests the close ones', () => {
  const home = makeHome();
  assert.equal(cli(['launch', 'frank', '--', 'true'], home.env).code, 0);
  const result = cli(['r', 'frnak'], home.env);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'lifeline: no stopped instance named "frnak"; did you mean frank?\n');
});

test('r over a ghost whose folder is gone refuses before writing anything', () => {
  const home = makeHome();
  createDatabase(home);
  insertRow(home.db, { name: 'gina', pid: 999_999_999, boot_id: 'an-earlier-boot', proc_start: 'linux:1', cwd: join(home.dir, 'gone') });
  const before = events(home.db).length;
  const result = cli(['r', 'gina'], home.env);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^lifeline: the folder .*gone of gina no longer exists; pass --cwd DIR/);
  assert.equal(events(home.db).length, before);
  assert.deepEqual(rows(home.db).map((row) => row['name']), ['gina'], 'the ghost is left for reconcile');
});
