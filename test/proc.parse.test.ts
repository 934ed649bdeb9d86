import assert from 'node:assert/strict';
import { test } from 'node:test';
import { environHasEntry, environValue, parseBtime, parseStat, splitNul } from '../src/proc/parse.js';

const TAIL = 'S 1 4242 4242 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 650833 3133440 364 18446744073709551615 0 0';

test('stat: fields are read after the last parenthesis, whatever the command name holds', () => {
  for (const comm of ['sleep', 'my prog', 'a) S 1 2 3 (b', ')', 'x\ny) Z 9', '((()))']) {
    const parsed = parseStat(`4242 (${comm}) ${TAIL}\n`);
    assert.deepEqual(parsed, { state: 'S', ppid: 1, pgrp: 4242, flags: 4194304, startTicks: '650833' }, `comm ${JSON.stringify(comm)}`);
  }
});

test('stat: the zombie state is reported as it is', () => {
  assert.equal(parseStat(`7 (defunct) Z 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0`)?.state, 'Z');
});

test('stat: truncated or garbled text gives null instead of throwing', () => {
  for (const text of ['', '4242', '4242 (sleep', '4242 (sleep) S 1 2', `4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 notanumber`]) {
    assert.equal(parseStat(text), null, JSON.stringify(text));
  }
});

test('btime is read from its own line only', () => {
  assert.equal(parseBtime('cpu 1 2\nbtime 1795541334\nprocesses 9\n'), 1795541334);
  assert.equal(parseBtime('cpu 1 2\nxbtime 5\n'), null);
});

test('environ: only the whole entry matches, never a look-alike key or a longer value', () => {
  const marker = '6f1c1d8e-5b8a-4f0e-9a51-0c6a1d2e3f40';
  const lookalikes = `XLIFELINE_INSTANCE_ID=${marker}\0LIFELINE_INSTANCE_ID=${marker}-extra\0LIFELINE_INSTANCE_ID_OLD=${marker}\0`;
  assert.equal(environHasEntry(lookalikes, 'LIFELINE_INSTANCE_ID', marker), false);
  assert.equal(environHasEntry(`${lookalikes}LIFELINE_INSTANCE_ID=${marker}\0`, 'LIFELINE_INSTANCE_ID', marker), true);
  assert.equal(environHasEntry(`LIFELINE_INSTANCE_ID=${marker}`, 'LIFELINE_INSTANCE_ID', marker), true, 'no trailing NUL');
  assert.equal(environHasEntry(`LIFELINE_INSTANCE_ID=${marker.slice(0, 10)}\0`, 'LIFELINE_INSTANCE_ID', marker), false, 'a prefix');
  assert.equal(environValue(lookalikes, 'LIFELINE_INSTANCE_ID'), `${marker}-extra`);
  assert.equal(environValue('PATH=/bin\0', 'LIFELINE_INSTANCE_ID'), null);
});

test('NUL-separated lists keep empty arguments but not the trailing terminator', () => {
  assert.deepEqual(splitNul('sleep\0\x00300\0'), ['sleep', '', '300']);
  assert.deepEqual(splitNul(''), []);
});
