import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { launchAgent, systemdUnit } from '../src/integration/login-item.js';
import { CLI, cli } from './helpers/cli.js';
import { makeHome } from './helpers/home.js';
import { have } from './helpers/processes.js';

const target = {
  node: '/opt/node 20/bin/node',
  cli: '/home/a b/lifeline/dist/src/cli.js',
  db: '/home/a b/100% "odd" $state.db',
  home: '/home/a b/.local/state/lifeline',
  userHome: '/home/a b',
  configHome: null,
};

test('the systemd unit is accepted by systemd-analyze verify, with odd paths quoted', { skip: have('systemd-analyze') ? false : 'systemd-analyze is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-unit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // verify checks that ExecStart's binary exists: point it at this node, keep the odd words in the arguments.
  const plan = systemdUnit({ ...target, node: process.execPath });
  assert.equal(plan.path, '/home/a b/.config/systemd/user/lifeline-reconcile.service');
  assert.match(plan.content, /^Type=oneshot$/m);
  assert.match(plan.content, /^WantedBy=default\.target$/m);
  const file = join(dir, 'lifeline-reconcile.service');
  writeFileSync(file, plan.content);
  const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal(verify.stderr.includes('lifeline-reconcile'), false, verify.stderr);
  const exec = /^ExecStart=(.*)$/m.exec(plan.content)![1]!;
  assert.equal(exec, `${process.execPath} "/home/a b/lifeline/dist/src/cli.js" reconcile --quiet --defer-notice --db "/home/a b/100%% \\"odd\\" $$state.db"`);
});

test('the restoring systemd unit is accepted by systemd-analyze verify too', { skip: have('systemd-analyze') && have('systemd-run') ? false : 'systemd-analyze or systemd-run is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeline-unit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const systemdRun = spawnSync('sh', ['-c', 'command -v systemd-run'], { encoding: 'utf8' }).stdout.trim();
  const plan = systemdUnit({ ...target, node: process.execPath, restore: true, systemdRun });
  const file = join(dir, 'lifeline-reconcile.service');
  writeFileSync(file, plan.content);
  const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal(verify.stderr.includes('lifeline-reconcile'), false, verify.stderr);
  assert.match(plan.content, new RegExp(`^ExecStart=${systemdRun} --user --scope --quiet --collect -- ${process.execPath} .* reconcile --quiet --defer-notice --restore --db `, 'm'));
});

test('the LaunchAgent is a valid plist that runs reconcile at load with absolute paths', { skip: have('python3') ? false : 'python3 is not installed' }, () => {
  const plan = launchAgent(target, 501);
  assert.equal(plan.path, '/home/a b/Library/LaunchAgents/dev.lifeline.reconcile.plist');
  assert.deepEqual(plan.install, [['launchctl', 'bootstrap', 'gui/501', plan.path]]);
  const parsed = spawnSync('python3', ['-c', 'import plistlib, sys, json; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'], {
    input: plan.content,
    encoding: 'utf8',
  });
  assert.equal(parsed.status, 0, parsed.stderr);
  assert.deepEqual(JSON.parse(parsed.stdout), {
    Label: 'dev.lifeline.reconcile',
    ProgramArguments: [target.node, target.cli, 'reconcile', '--quiet', '--defer-notice', '--db', target.db],
    EnvironmentVariables: { LIFELINE_HOME: target.home },
    RunAtLoad: true,
  });
});

test('install writes the unit (and says what to run without a user bus); uninstall removes exactly it', () => {
  const home = makeHome();
  const userHome = join(home.dir, 'user');
  const env = { ...home.env, HOME: userHome, XDG_CONFIG_HOME: '' };
  const unit = join(userHome, '.config/systemd/user/lifeline-reconcile.service');

  const dry = cli(['login-item', 'install', '--dry-run'], env);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /ExecStart=.*reconcile --quiet/);
  assert.match(dry.stdout, /systemctl --user daemon-reload && systemctl --user enable lifeline-reconcile\.service/);
  assert.equal(existsSync(unit), false, 'a dry run writes nothing');

  const install = cli(['login-item', 'install'], env);
  assert.equal(install.code, 0, install.stderr);
  // No user bus here, so systemctl cannot enable it: the unit is written and says so.
  assert.match(install.stdout, new RegExp(`^(wrote|written, not enabled:) ${unit}$`, 'm'));
  assert.match(readFileSync(unit, 'utf8'), new RegExp(`Environment=LIFELINE_HOME=${home.dir}`));
  assert.match(cli(['login-item', 'status'], env).stdout, /^(installed|written, not enabled): /);
  const sibling = join(userHome, '.config/systemd/user/other.service');
  writeFileSync(sibling, '[Service]\n');

  const uninstall = cli(['login-item', 'uninstall'], env);
  assert.equal(uninstall.code, 0, uninstall.stderr);
  assert.equal(existsSync(unit), false);
  assert.equal(existsSync(sibling), true, 'nothing but its own file is removed');
  assert.match(cli(['login-item', 'status'], env).stdout, /^not installed/);
});

test('the unit\'s Environment= keeps a $ as it is (systemd expands no variables there) and doubles %, which it does expand', () => {
  const plan = systemdUnit({ ...target, home: '/home/a b/$state/100% "x"' });
  assert.equal(/^Environment=(.*)$/m.exec(plan.content)![1], '"LIFELINE_HOME=/home/a b/$state/100%% \\"x\\""');
});

test('install says enabled when systemctl made its link although the daemon-reload found no user manager, as status then says', () => {
  const home = makeHome();
  const userHome = join(home.dir, 'user');
  const bin = join(home.dir, 'bin');
  mkdirSync(bin);
  // What systemctl does without a user bus: daemon-reload fails, enable still links the unit.
  writeFileSync(
    join(bin, 'systemctl'),
    [
      '#!/bin/sh',
      '[ "$2" = daemon-reload ] && { echo "Failed to connect to bus: No medium found" >&2; exit 1; }',
      'd="$HOME/.config/systemd/user"',
      '[ "$2" = enable ] && mkdir -p "$d/default.target.wants" && ln -s "$d/$3" "$d/default.target.wants/$3" && exit 0',
      'exit 1',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const env = { ...home.env, HOME: userHome, XDG_CONFIG_HOME: '', PATH: `${bin}:${home.env['PATH'] ?? ''}` };
  const unit = join(userHome, '.config/systemd/user/lifeline-reconcile.service');
  const install = cli(['login-item', 'install'], env);
  assert.equal(install.stdout, `wrote ${unit}\nenabled: lifeline reconciles at every login, from the next one on (systemctl --user daemon-reload could not run here: Failed to connect to bus: No medium found)\n`);
  assert.equal(cli(['login-item', 'status'], env).stdout, `installed: ${unit} (enabled: runs at every login)\nrestore: off (lifeline login-item install --restore turns it on)\n`);
});

test('install --restore: the unit reconciles then brings the last boot back, in a scope of its own that outlives the unit; status and doctor say restore is on', () => {
  const home = makeHome();
  const userHome = join(home.dir, 'user');
  const bin = join(home.dir, 'bin');
  mkdirSync(bin);
  // A systemd-run on PATH (its absolute path goes into the unit), and a systemctl that enables as systemd does offline.
  writeFileSync(join(bin, 'systemd-run'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  writeFileSync(join(bin, 'systemctl'), '#!/bin/sh\nd="$HOME/.config/systemd/user"\n[ "$2" = enable ] && mkdir -p "$d/default.target.wants" && ln -s "$d/$3" "$d/default.target.wants/$3"\nexit 0\n', { mode: 0o755 });
  const env = { ...home.env, HOME: userHome, XDG_CONFIG_HOME: '', PATH: `${bin}:${home.env['PATH'] ?? ''}` };
  const unit = join(userHome, '.config/systemd/user/lifeline-reconcile.service');
  assert.equal(cli(['login-item', 'status', '--restore'], env).code, 2, '--restore goes with install');
  const install = cli(['login-item', 'install', '--restore'], env);
  assert.equal(install.code, 0, install.stderr);
  assert.match(install.stdout, /^restore: on \(after the reconcile at login, the last boot comes back in tmux: tmux attach -t lifeline\)$/m);
  const exec = /^ExecStart=(.*)$/m.exec(readFileSync(unit, 'utf8'))![1]!;
  assert.equal(exec, `${join(bin, 'systemd-run')} --user --scope --quiet --collect -- ${process.execPath} ${CLI} reconcile --quiet --defer-notice --restore`);
  assert.match(cli(['login-item', 'status'], env).stdout, /^restore: on /m);
  const doctor = JSON.parse(cli(['doctor', '--json'], env).stdout) as { login_item: { restore: boolean } };
  assert.equal(doctor.login_item.restore, true);
  // Installed again without --restore: off.
  assert.equal(cli(['login-item', 'install'], env).code, 0);
  assert.match(cli(['login-item', 'status'], env).stdout, /^restore: off /m);
});

test('the restoring LaunchAgent keeps the process group it leaves behind (tmux) alive after the job', () => {
  const plan = launchAgent({ ...target, restore: true }, 501);
  assert.match(plan.content, /<key>AbandonProcessGroup<\/key>\n  <true\/>/);
  assert.match(plan.content, /<string>--restore<\/string>/);
  assert.doesNotMatch(launchAgent(target, 501).content, /AbandonProcessGroup/);
});
