import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parse as parseJsonc } from 'jsonc-parser';
import { parse as parseToml } from 'smol-toml';
import { AGENTS } from '../../src/agents/known.js';
import { type ConfigIo, type HookTarget, planAgentConfig } from '../../src/integration/agent-config.js';

const TARGET: HookTarget = { node: '/usr/bin/node', cli: '/opt/lifeline/dist/cli.cjs', db: null };
const CLAUDE_EVENTS = ['SessionStart', ...new Set(AGENTS.claude.turnEvents.map((known) => known.event))];
const GROUP = { hooks: [{ type: 'command', command: '/usr/bin/node /opt/lifeline/dist/cli.cjs hook claude' }] };

function io(text: string | null): ConfigIo {
  return { env: { HOME: '/home/u' }, read: () => text, exists: () => true, realpath: (path) => path };
}

const userGroup = fc.record({ hooks: fc.array(fc.record({ type: fc.constant('command'), command: fc.string({ maxLength: 8 }) }), { maxLength: 2 }) });
const settings = fc.record(
  {
    model: fc.oneof(fc.string({ maxLength: 6 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer()),
    permissions: fc.record({ allow: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }) }),
    hooks: fc.record({ SessionStart: fc.array(userGroup, { maxLength: 3 }), Stop: fc.array(userGroup, { maxLength: 2 }) }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const layout = fc.constantFrom<string | number>(0, 2, 4, '\t');

test('any settings.json in any layout: install adds exactly lifeline\'s group, uninstall gives the bytes back', () => {
  fc.assert(
    fc.property(settings, layout, fc.boolean(), (value, indent, trailingNewline) => {
      const text = JSON.stringify(value, null, indent) + (trailingNewline ? '\n' : '');
      const install = planAgentConfig('claude', TARGET, true, io(text)).edit;
      const installed = install.after!;
      // lifeline's group goes after the user's under SessionStart and each of claude's turn events.
      const userHooks: Record<string, unknown[]> = value.hooks ?? {};
      const ours = Object.fromEntries(CLAUDE_EVENTS.map((event) => [event, [...(userHooks[event] ?? []), GROUP]]));
      const expected = { ...value, hooks: { ...value.hooks, ...ours } };
      assert.deepEqual(parseJsonc(installed), JSON.parse(JSON.stringify(expected)));
      assert.equal(planAgentConfig('claude', TARGET, true, io(installed)).edit.state, 'installed');
      assert.equal(planAgentConfig('claude', TARGET, false, io(installed)).edit.after, text);
    }),
    { numRuns: 300 },
  );
});

test('any config.toml that smol-toml writes: install adds lifeline\'s hook, trusted; uninstall gives the bytes back, also after codex appends a table', () => {
  const config = fc.record(
    { model: fc.string({ maxLength: 6 }), projects: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.record({ trust_level: fc.constant('trusted') }), { maxKeys: 2 }) },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(config, fc.string({ maxLength: 10 }), fc.constantFrom('', '\n', '\n\n'), (value, comment, end) => {
      const body = Object.entries(value).length === 0 ? '' : `${Object.entries(value).filter(([k]) => k === 'model').map(([, v]) => `model = ${JSON.stringify(v)}`).join('\n')}\n${Object.entries(value.projects ?? {}).map(([k]) => `[projects.${JSON.stringify(k)}]\ntrust_level = "trusted"\n`).join('\n')}`;
      const text = `# ${comment.replace(/[\n\r\u0000-\u001f\u007f]/g, '')}\n${body}`.replace(/\n*$/, end);
      parseToml(text);
      const installed = planAgentConfig('codex', TARGET, true, io(text)).edit.after!;
      assert.equal(planAgentConfig('codex', TARGET, true, io(installed)).edit.state, 'installed');
      assert.equal(planAgentConfig('codex', TARGET, false, io(installed)).edit.after, text);
      const tui = '\n[tui]\nscreen_reader_detection_done = true\n';
      assert.equal(planAgentConfig('codex', TARGET, false, io(installed + tui)).edit.after, text + tui);
    }),
    { numRuns: 200 },
  );
});
