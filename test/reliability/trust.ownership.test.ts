import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cliAsNobody, dropSkip, isRoot, NOBODY } from '../helpers/as-nobody.js';
import { cli } from '../helpers/cli.js';
import { dump } from '../helpers/db.js';
import { makeHome, type TestHome } from '../helpers/home.js';
import { createDatabase } from '../helpers/seed.js';

const needsRoot = { skip: isRoot ? false : 'needs root to make files of another user' };

function chownAll(home: TestHome, uid: number): void {
  for (const file of ['', '/lifeline.db', '/lifeline.db-wal', '/lifeline.db-shm', '/boot.stamp']) {
    if (existsSync(`${home.dir}${file}`)) chownSync(`${home.dir}${file}`, uid, uid);
  }
}

const COMMANDS = [
  ['reconcile', '--quiet'],
  ['reconcile', '--force'],
  ['list'],
  ['r', 'seed', '--dry-run'],
  ['launch', 'x', '--', 'true'],
  ['stop', 'seed'],
  ['events'],
];

test("a state folder another user owns (who could swap in a database whose snapshot says sh -c …) is refused in one line by every command, also --quiet", needsRoot, () => {
  const home = makeHome();
  createDatabase(home);
  chownAll(home, NOBODY);
  const before = dump(home.db);
  for (const args of COMMANDS) {
    const result = cli(args, home.env);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.equal(result.stdout, '', args.join(' '));
    assert.match(result.stderr, /^lifeline: the state folder \S+ belongs to another user \(uid 65534, you are uid 0\); lifeline refuses it \(chown it, or choose another with LIFELINE_HOME or --db\)\n$/, args.join(' '));
  }
  assert.deepEqual(dump(home.db), before);
  const doctor = cli(['doctor', '--json'], home.env);
  assert.equal(doctor.code, 1);
  assert.ok((JSON.parse(doctor.stdout) as { problems: string[] }).problems.some((p) => /the state folder .* belongs to another user/.test(p)));
});

test('a database another user owns in a folder of ours, or chosen with --db, is refused in one line; doctor reports it', needsRoot, () => {
  const home = makeHome();
  createDatabase(home);
  chownSync(home.db, NOBODY, NOBODY);
  for (const args of COMMANDS) {
    const result = cli(args, home.env);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, /^lifeline: the database \S+lifeline\.db belongs to another user \(uid 65534, you are uid 0\); lifeline refuses it/, args.join(' '));
  }
  const chosen = cli(['--db', home.db, 'list'], { ...home.env, LIFELINE_HOME: join(home.dir, 'elsewhere') });
  assert.match(chosen.stderr, /^lifeline: the database \S+ belongs to another user/);
  const doctor = cli(['doctor', '--json'], home.env);
  assert.ok((JSON.parse(doctor.stdout) as { problems: string[] }).problems.some((p) => /the database .* belongs to another user/.test(p)), doctor.stdout);
});

test('a logs folder another user owns: a detached launch is refused in one line and no row stays', needsRoot, () => {
  const home = makeHome();
  createDatabase(home);
  mkdirSync(join(home.dir, 'logs'), { mode: 0o777 });
  chownSync(join(home.dir, 'logs'), NOBODY, NOBODY);
  const result = cli(['launch', 'logged', '--detach', '--', 'true'], home.env);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /the folder \S+logs belongs to another user \(uid 65534/);
  assert.equal(cli(['list', '--json'], home.env).stdout.includes('logged'), false);
});

test('a state folder of the user that the user cannot write: reconcile --quiet stays silent (every new shell), others say so in one line', { skip: dropSkip() }, () => {
  const home = makeHome();
  createDatabase(home);
  writeFileSync(join(home.dir, 'boot.stamp'), 'an-older-boot\n');
  chownAll(home, NOBODY);
  chmodSync(home.dir, 0o500);
  const before = readFileSync(home.db);
  const quiet = cliAsNobody(['reconcile', '--quiet'], home.env);
  assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', '']);
  const loud = cliAsNobody(['reconcile'], home.env);
  assert.equal(loud.code, 1);
  assert.match(loud.stderr, /^lifeline: [^\n]+\n$/);
  assert.doesNotMatch(loud.stderr, /unexpected/);
  assert.deepEqual(readFileSync(home.db), before);
  chmodSync(home.dir, 0o700);
});

test("a -wal, -shm or -journal beside a --db in a shared folder, planted by another user or as a link, is refused: SQLite would read the planter's pages", needsRoot, () => {
  const home = makeHome();
  const shared = join(home.dir, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777); // Like /tmp: anyone may create files, nobody may replace another's.
  const target = join(home.dir, 'target.txt');
  writeFileSync(target, 'untouched\n');
  for (const [suffix, plant] of [
    ['-wal', (path: string) => { writeFileSync(path, ''); chownSync(path, NOBODY, NOBODY); chmodSync(path, 0o666); }],
    ['-journal', (path: string) => { writeFileSync(path, 'x'); chownSync(path, NOBODY, NOBODY); }],
    ['-shm', (path: string) => symlinkSync(target, path)],
  ] as const) {
    const db = join(shared, `planted${suffix}.db`);
    plant(`${db}${suffix}`);
    const result = cli(['--db', db, 'launch', 'x', '--', 'true'], home.env);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^lifeline: (the database file \S+ belongs to another user \(uid 65534|\S+-shm is a symbolic link; lifeline refuses a database whose companion file is one)/, suffix);
    assert.equal(existsSync(db), false, `${suffix}: no database was created`);
  }
  assert.equal(readFileSync(target, 'utf8'), 'untouched\n');
  // Root's own database there still works.
  assert.equal(cli(['--db', join(shared, 'own.db'), 'launch', 'x', '--', 'true'], home.env).code, 0);
});
