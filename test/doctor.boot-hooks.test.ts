import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { frozenPaths } from '../src/integration/checks.js';
import { type Shell, shellSnippet } from '../src/integration/shell.js';
import { cli } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';
import { bootId } from './helpers/processes.js';

interface Doctor {
  shell_snippet: Record<string, { file: string; present: boolean; count: number; missing_paths: string[] }>;
  login_item: { path: string | null; installed: boolean; enabled: boolean; restore: boolean; linger: boolean | null };
  last_reconcile: { boot_id: string | null; at: number | null; this_boot: boolean };
  warnings: string[];
  problems: string[];
}

const NOTHING_RUNS = 'nothing runs reconcile at boot: add `lifeline init <shell>` to your rc file or run `lifeline login-item install`';

/** A user whose home folder is inside the test's state folder, so rc files and units stay in the test. */
function user(): { env: NodeJS.ProcessEnv; userHome: string } {
  const home = makeHome();
  const userHome = join(home.dir, 'user');
  mkdirSync(userHome);
  return { env: { ...home.env, HOME: userHome, XDG_CONFIG_HOME: '', ZDOTDIR: '' }, userHome };
}

/** doctor's report, its warnings without the one about the database these tests never create. */
function doctor(env: NodeJS.ProcessEnv): Doctor {
  const result = cli(['doctor', '--json'], env);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as Doctor;
  return { ...report, warnings: report.warnings.filter((warning) => !warning.startsWith('no database yet')) };
}

test('the paths a snippet runs are read back from every shell, through odd quoting', () => {
  const node = "/opt/it's node/bin/node";
  const cliPath = '/home/a\\b/"lifeline"/dist/cli.cjs';
  for (const shell of ['bash', 'zsh', 'fish'] as Shell[]) {
    const snippet = shellSnippet(shell, { node, cli: cliPath, stamp: '/s/boot.stamp', notice: '/s/notice', db: null, home: '/s', procRoot: '/proc', platform: 'linux' });
    assert.deepEqual(frozenPaths(snippet, shell === 'fish'), [node, cliPath], shell);
  }
});

test("doctor warns when a snippet's frozen node path no longer exists, and counts it as nothing running at boot", () => {
  const { env, userHome } = user();
  const snippet = cli(['init', 'bash'], env).stdout;
  // As after a Node upgrade by a version manager: the node the snippet froze is gone.
  writeFileSync(join(userHome, '.bashrc'), snippet.replaceAll(process.execPath, '/opt/node-18.0.0/bin/node'));
  const report = doctor(env);
  const rc = join(userHome, '.bashrc');
  assert.deepEqual(report.shell_snippet['bash'], { file: rc, present: true, count: 1, missing_paths: ['/opt/node-18.0.0/bin/node'] });
  assert.deepEqual(report.warnings, [
    `the bash snippet in ${rc} runs /opt/node-18.0.0/bin/node, which no longer exists, so it never reconciles; replace it with the output of \`lifeline init bash\``,
    NOTHING_RUNS,
  ]);

  // A fresh snippet is fine again.
  writeFileSync(rc, snippet);
  assert.deepEqual(doctor(env).warnings, []);
});

test('doctor reports the same snippet appended twice', () => {
  const { env, userHome } = user();
  const snippet = cli(['init', 'zsh'], env).stdout;
  const rc = join(userHome, '.zshrc');
  writeFileSync(rc, `export A=1\n${snippet}${snippet}`);
  const report = doctor(env);
  assert.equal(report.shell_snippet['zsh']!.count, 2);
  assert.deepEqual(report.warnings, [`${rc} holds the lifeline snippet 2 times; keep one`]);
  assert.match(cli(['doctor'], env).stdout, new RegExp(`warning: ${rc} holds the lifeline snippet 2 times; keep one`));
});

test('a login item that systemctl could not enable is "written, not enabled", and does not count as running at boot', () => {
  const { env, userHome } = user();
  const unit = join(userHome, '.config/systemd/user/lifeline-reconcile.service');
  const install = cli(['login-item', 'install'], env);
  assert.equal(install.code, 0, install.stderr);
  if (/^enabled:/m.test(install.stdout)) return; // A machine with a user bus: nothing to show here.
  assert.match(install.stdout, new RegExp(`^written, not enabled: ${unit}\ncould not run systemctl --user daemon-reload here \\(.*\\); to enable it, run this in your login session:\n  systemctl --user daemon-reload && systemctl --user enable lifeline-reconcile.service\n$`));
  assert.equal(
    cli(['login-item', 'status'], env).stdout,
    `written, not enabled: ${unit}; enable it in your login session: systemctl --user daemon-reload && systemctl --user enable lifeline-reconcile.service\n` +
      'restore: off (lifeline login-item install --restore turns it on)\n',
  );
  let report = doctor(env);
  assert.deepEqual(report.login_item, { path: unit, installed: true, enabled: false, restore: false, linger: report.login_item.linger });
  assert.deepEqual(report.warnings, [
    `the login item ${unit} is written, not enabled; enable it in your login session: systemctl --user daemon-reload && systemctl --user enable lifeline-reconcile.service`,
    NOTHING_RUNS,
  ]);
  assert.match(cli(['doctor'], env).stdout, /login item +written, not enabled \(/);

  // What `systemctl --user enable` does: a link in default.target.wants.
  const wants = join(userHome, '.config/systemd/user/default.target.wants');
  mkdirSync(wants);
  symlinkSync(unit, join(wants, 'lifeline-reconcile.service'));
  report = doctor(env);
  assert.deepEqual(report.login_item, { path: unit, installed: true, enabled: true, restore: false, linger: report.login_item.linger });
  assert.deepEqual(report.warnings, []);
  assert.match(cli(['login-item', 'status'], env).stdout, /^installed: .* \(enabled: runs at every login\)$/m);

  // Uninstall without a user bus removes the link systemctl would have removed.
  assert.equal(cli(['login-item', 'uninstall'], env).code, 0);
  assert.deepEqual({ ...doctor(env).login_item, linger: null }, { path: unit, installed: false, enabled: false, restore: false, linger: null });
  assert.throws(() => readFileSync(join(wants, 'lifeline-reconcile.service')));
});

test('doctor right after a reconcile with no database tells the reconcile from the stamp', () => {
  const { env } = user();
  assert.equal(cli(['reconcile'], env).code, 0);
  const report = doctor(env);
  assert.equal(report.last_reconcile.boot_id, bootId());
  assert.equal(report.last_reconcile.this_boot, true);
  assert.ok(report.last_reconcile.at !== null && Math.abs(report.last_reconcile.at - Date.now()) < 60_000);
  assert.match(cli(['doctor'], env).stdout, /last reconcile \d{4}-\d\d-\d\d [\d:]+Z, this boot/);
});
