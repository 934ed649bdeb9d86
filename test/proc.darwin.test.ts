import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { type CommandRunner, DarwinProbe, parseLstart } from '../src/proc/darwin.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/darwin/', import.meta.url));

/** Answers each command with its recorded output (fixtures/darwin/README.md); no file = the command failed. */
function recorded(calls: string[] = []): CommandRunner {
  return (command, args) => {
    calls.push([command, ...args].join(' '));
    const pid = args[args.length - 1];
    let file: string;
    if (command === 'sysctl') file = `sysctl-${args[1]}.txt`;
    else if (command === 'lsof') file = `lsof-cwd-${args[2]}.txt`;
    else if (args.includes('-E')) file = `ps-environ-${pid}.txt`;
    else if (args.includes('command=')) file = `ps-command-${pid}.txt`;
    else file = `ps-identity-${pid}.txt`;
    const path = `${FIXTURES}${file}`;
    return existsSync(path) ? { ok: true, stdout: readFileSync(path, 'utf8') } : { ok: false, stdout: '' };
  };
}

const MARKER = '6f1c1d8e-5b8a-4f0e-9a51-0c6a1d2e3f40';

test('macOS boot id comes from kern.bootsessionuuid', () => {
  assert.equal(new DarwinProbe(recorded(), 501).bootId(), '5E3A9B2C-7D1F-4C8E-9A6B-2F4D8C1E7A93');
});

test('macOS boot id falls back to kern.boottime seconds', () => {
  const runner = recorded();
  const probe = new DarwinProbe((command, args) => (args[1] === 'kern.bootsessionuuid' ? { ok: false, stdout: '' } : runner(command, args)), 501);
  assert.equal(probe.bootId(), 'btime:1795541334');
});

test('macOS identity: lstart in UTC becomes an exact start token; zombies and missing pids are told apart', () => {
  const probe = new DarwinProbe(recorded(), 501);
  const expectedSeconds = Date.UTC(2026, 10, 24, 19, 14, 2) / 1000;
  assert.deepEqual(probe.inspect(4242), { state: 'running', startToken: `darwin:${expectedSeconds}`, startedAtMs: expectedSeconds * 1000, pgid: 4242, kernelThread: false });
  assert.equal(probe.inspect(4343).state, 'zombie');
  assert.deepEqual(probe.inspect(9999), { state: 'gone' });
});

test('macOS environ: only the exact marker entry matches; another user is denied', () => {
  const probe = new DarwinProbe(recorded(), 501);
  assert.equal(probe.hasEnvEntry(4242, 'LIFELINE_INSTANCE_ID', MARKER), 'present');
  assert.equal(probe.hasEnvEntry(4242, 'LIFELINE_INSTANCE_ID', MARKER.slice(0, 8)), 'absent');
  assert.deepEqual(probe.envValue(4242, 'LIFELINE_NAME'), { kind: 'value', value: 'alice' });
  assert.deepEqual(probe.envValue(4242, 'NOPE'), { kind: 'missing' });
  assert.equal(probe.hasEnvEntry(4444, 'LIFELINE_INSTANCE_ID', MARKER), 'denied', "root's process, read by uid 501");
  assert.equal(probe.hasEnvEntry(9999, 'LIFELINE_INSTANCE_ID', MARKER), 'gone');
});

test('macOS describe: argv from ps, folder from lsof', () => {
  assert.deepEqual(new DarwinProbe(recorded(), 501).describe(4242), {
    argv: ['/usr/local/bin/node', '/usr/local/bin/claude', '--resume', 'abc'],
    cwd: '/Users/dev/project',
    exact: true,
  });
});

test('lstart parsing refuses anything but the C-locale format', () => {
  assert.equal(parseLstart('Tue Nov 24 19:14:02 2026'), Date.UTC(2026, 10, 24, 19, 14, 2) / 1000);
  assert.equal(parseLstart('Di 24 Nov 19:14:02 2026'), null);
  assert.equal(parseLstart(''), null);
});
