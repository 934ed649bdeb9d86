import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseLstart, parsePsLine } from '../../src/proc/darwin.js';
import { LinuxProbe } from '../../src/proc/linux.js';
import { environHasEntry, environValue, parseBtime, parseStat, splitNul } from '../../src/proc/parse.js';
import { splitShellWords } from '../../src/lifecycle/returning/template.js';
import { LifelineError } from '../../src/errors.js';

const RUNS = 500;

test('/proc/<pid>/stat: any command name (spaces, parentheses, newlines) leaves the fields intact', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('R', 'S', 'D', 'Z'), fc.integer({ min: 1, max: 2 ** 31 }), fc.bigInt({ min: 0n, max: 2n ** 63n }), (comm, state, pgrp, ticks) => {
      const text = `4242 (${comm}) ${state} 1 ${pgrp} 4242 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 ${ticks} 3133440 364 0 0\n`;
      assert.deepEqual(parseStat(text), { state, ppid: 1, pgrp, flags: 4194304, startTicks: String(ticks) });
    }),
    { numRuns: RUNS },
  );
});

test('environ: an exact entry is found among look-alikes; a look-alike alone never matches', () => {
  const key = 'LIFELINE_INSTANCE_ID';
  fc.assert(
    fc.property(fc.uuid(), fc.array(fc.string({ maxLength: 30 }).filter((s) => !s.includes('\0')), { maxLength: 8 }), fc.boolean(), (marker, noise, present) => {
      const lookalikes = [`X${key}=${marker}`, `${key}=${marker}x`, `${key}_OLD=${marker}`, `${key}=${marker.slice(0, 35)}`, ` ${key}=${marker}`];
      const entries = [...noise.filter((entry) => entry !== `${key}=${marker}`), ...lookalikes];
      if (present) entries.splice(Math.floor(entries.length / 2), 0, `${key}=${marker}`);
      assert.equal(environHasEntry(`${entries.join('\0')}\0`, key, marker), present);
    }),
    { numRuns: RUNS },
  );
});

test('every parser takes random bytes without throwing past its boundary', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const text = Buffer.from(bytes).toString('latin1');
      parseStat(text);
      parseBtime(text);
      splitNul(text);
      environValue(text, 'LIFELINE_INSTANCE_ID');
      environHasEntry(text, 'LIFELINE_INSTANCE_ID', 'x');
      parsePsLine(text);
      parseLstart(text);
      try {
        splitShellWords(text);
      } catch (error) {
        // The one parser of user input: it may refuse, but only with a usage error.
        assert.ok(error instanceof LifelineError && error.code === 'usage', String(error));
      }
    }),
    { numRuns: RUNS * 2 },
  );
});

test('the Linux probe on a proc root full of random files answers with facts, never throws', () => {
  const root = mkdtempSync(join(tmpdir(), 'lifeline-fuzz-proc-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'sys/kernel/random'), { recursive: true });
  mkdirSync(join(root, '77'));
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (stat, environ, procStat) => {
      writeFileSync(join(root, '77/stat'), stat);
      writeFileSync(join(root, '77/environ'), environ);
      writeFileSync(join(root, 'stat'), procStat);
      writeFileSync(join(root, 'sys/kernel/random/boot_id'), 'fuzz-boot\n');
      const probe = new LinuxProbe(root);
      const facts = probe.inspect(77);
      assert.ok(['gone', 'zombie', 'running'].includes(facts.state));
      assert.ok(['present', 'absent', 'denied', 'gone'].includes(probe.hasEnvEntry(77, 'LIFELINE_INSTANCE_ID', 'x')));
      assert.equal(probe.inspect(78).state, 'gone');
      assert.equal(probe.bootId(), 'fuzz-boot');
    }),
    { numRuns: 200 },
  );
});
