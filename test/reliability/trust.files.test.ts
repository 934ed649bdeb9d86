import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, cli } from '../helpers/cli.js';
import { rows } from '../helpers/db.js';
import { makeHome } from '../helpers/home.js';
import { have } from '../helpers/processes.js';
import { isRoot, NOBODY } from '../helpers/as-nobody.js';
import { createDatabase } from '../helpers/seed.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A file someone else cares about: content and mode must survive whatever lifeline does. */
function victimFile(): { path: string; check: () => void } {
  const path = join(tempDir(), 'victim.txt');
  writeFileSync(path, 'precious\n', { mode: 0o644 });
  if (isRoot) chownSync(path, NOBODY, NOBODY); // Root writing a file another user chose: the worst case.
  const before = statSync(path);
  return {
    path,
    check: () => {
      const after = statSync(path);
      assert.equal(readFileSync(path, 'utf8'), 'precious\n', 'the target was not written');
      assert.equal(after.mode, before.mode, 'the target was not chmodded');
      assert.equal(after.uid, before.uid);
    },
  };
}

test('a planted logs/<name>.log link: the detached launch is refused in one line, the target untouched, no row left launching', () => {
  const home = makeHome();
  createDatabase(home);
  const victim = victimFile();
  mkdirSync(join(home.dir, 'logs'), { mode: 0o700 });
  symlinkSync(victim.path, join(home.dir, 'logs', 'planted.log'));
  const result = cli(['launch', 'planted', '--detach', '--', 'sh', '-c', 'echo leaked'], home.env);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /^lifeline: .*planted\.log is a symbolic link; lifeline never writes through one\n$/);
  victim.check();
  assert.deepEqual(rows(home.db).filter((row) => row['name'] === 'planted'), [], 'no row stays launching');
});

test('a hard link as the log, a FIFO as the log, or a logs folder that is a link: refused, nothing written', () => {
  const home = makeHome();
  createDatabase(home);
  mkdirSync(join(home.dir, 'logs'), { mode: 0o700 });
  const own = join(tempDir(), 'own.txt');
  writeFileSync(own, 'mine\n');
  linkSync(own, join(home.dir, 'logs', 'hard.log'));
  const hard = cli(['launch', 'hard', '--detach', '--', 'echo', 'leaked'], home.env);
  assert.equal(hard.code, 1, hard.stderr);
  assert.match(hard.stderr, /hard\.log has other hard links; lifeline writes only to its own files\n$/);
  assert.equal(readFileSync(own, 'utf8'), 'mine\n');

  assert.equal(spawnSync('mkfifo', [join(home.dir, 'logs', 'fifo.log')]).status, 0);
  const fifo = cli(['launch', 'fifo', '--detach', '--', 'echo', 'leaked'], home.env, { timeout: 20_000 });
  assert.equal(fifo.code, 1, fifo.stderr);
  assert.match(fifo.stderr, /fifo\.log is not a regular file; lifeline writes only to its own files\n$/);

  const elsewhere = tempDir();
  rmSync(join(home.dir, 'logs'), { recursive: true });
  symlinkSync(elsewhere, join(home.dir, 'logs'));
  const linked = cli(['launch', 'linked', '--detach', '--', 'echo', 'leaked'], home.env);
  assert.equal(linked.code, 1, linked.stderr);
  assert.match(linked.stderr, /the folder .*logs is a symbolic link; lifeline writes only into a real folder of its own\n$/);
  assert.deepEqual(readdirSync(elsewhere), []);
  const doctor = cli(['doctor', '--json'], home.env);
  assert.ok((JSON.parse(doctor.stdout) as { problems: string[] }).problems.some((p) => /logs is a symbolic link/.test(p)), doctor.stdout);
});

test('a new log is 0600 in a 0700 logs folder whatever the umask', () => {
  const home = makeHome();
  const result = spawnSync('sh', ['-c', 'umask 000; exec "$0" "$1" launch umask --detach -- true', process.execPath, CLI], { env: home.env, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(statSync(join(home.dir, 'logs')).mode & 0o777, 0o700);
  assert.equal(statSync(join(home.dir, 'logs', 'umask.log')).mode & 0o777, 0o600);
  assert.equal(statSync(home.dir).mode & 0o777, 0o700, 'the state folder made by mkdtemp is left as it is');
  assert.equal(statSync(home.db).mode & 0o777, 0o600);
});

test('the boot stamp: a link planted at its name is replaced, not followed; the temp file is unpredictable and created exclusively', { skip: have('strace') ? false : 'needs strace' }, () => {
  const home = makeHome();
  createDatabase(home);
  const victim = victimFile();
  symlinkSync(victim.path, join(home.dir, 'boot.stamp'));
  const trace = join(tempDir(), 'open.trace');
  const result = spawnSync('strace', ['-f', '-qq', '-e', 'trace=open,openat', '-o', trace, process.execPath, CLI, 'reconcile', '--quiet'], {
    env: home.env,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  victim.check();
  assert.equal(statSync(join(home.dir, 'boot.stamp')).isFile(), true);
  assert.equal(readFileSync(join(home.dir, 'boot.stamp'), 'utf8'), `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}\n`);
  const opens = readFileSync(trace, 'utf8').split('\n').filter((line) => line.includes('boot.stamp.'));
  assert.equal(opens.length, 1, opens.join('\n'));
  assert.match(opens[0]!, /boot\.stamp\.[0-9a-f]{24}\.tmp", O_WRONLY\|O_CREAT\|O_EXCL\|O_NONBLOCK\|O_NOFOLLOW/);
  assert.deepEqual(readdirSync(home.dir).filter((file) => file.endsWith('.tmp')), []);
});
