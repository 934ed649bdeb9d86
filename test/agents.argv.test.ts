import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentOf, freshAgentStart, prepareAgentLaunch } from '../src/agents/argv.js';

const ID = '11111111-2222-4333-8444-555555555555';
const fixedId = (): string => ID;

test('agents are recognized by the base name of the command only', () => {
  assert.equal(agentOf(['claude'])?.name, 'claude');
  assert.equal(agentOf(['/usr/local/bin/codex', 'x'])?.name, 'codex');
  assert.equal(agentOf(['./node_modules/.bin/gemini'])?.name, 'gemini');
  assert.equal(agentOf(['claude-code']), null);
  assert.equal(agentOf(['sh', '-c', 'claude']), null);
  assert.equal(prepareAgentLaunch(['sleep', '1']), null);
});

test('claude: a pre-assigned --session-id, bound, and a template without the prompt', () => {
  const launch = prepareAgentLaunch(['claude', '--model', 'opus', '--add-dir', '../a', '../b', '--verbose', 'fix the bug'], fixedId)!;
  assert.deepEqual(launch.argv, ['claude', '--session-id', ID, '--model', 'opus', '--add-dir', '../a', '../b', '--verbose', 'fix the bug']);
  assert.equal(launch.session, ID);
  assert.deepEqual(launch.resumeTemplate, ['claude', '--model', 'opus', '--add-dir', '../a', '../b', '--verbose', '--resume', '{session}']);
  assert.deepEqual(launch.unknownOptions, []);
});

test('claude: session-selecting options are never kept, and no id is added over them', () => {
  const resumed = prepareAgentLaunch(['claude', '--resume', ID, '--model=sonnet', 'go on'], () => 'unused')!;
  assert.deepEqual(resumed.argv, ['claude', '--resume', ID, '--model=sonnet', 'go on']);
  assert.equal(resumed.session, ID, 'a resume of a known id keeps that id');
  assert.deepEqual(resumed.resumeTemplate, ['claude', '--model=sonnet', '--resume', '{session}']);

  const continued = prepareAgentLaunch(['claude', '-c', '--permission-mode', 'plan'], () => 'unused')!;
  assert.deepEqual(continued.argv, ['claude', '-c', '--permission-mode', 'plan']);
  assert.equal(continued.session, null, 'the hook tells which session --continue picked');
  assert.deepEqual(continued.resumeTemplate, ['claude', '--permission-mode', 'plan', '--resume', '{session}']);

  const forked = prepareAgentLaunch(['claude', '-r', ID, '--fork-session'], () => 'unused')!;
  assert.equal(forked.session, null, 'a fork gets a new id');
  assert.deepEqual(forked.resumeTemplate, ['claude', '--resume', '{session}']);

  const chosen = prepareAgentLaunch(['claude', '--session-id', ID], () => 'unused')!;
  assert.deepEqual(chosen.argv, ['claude', '--session-id', ID]);
  assert.equal(chosen.session, ID);
});

test('claude: a word after -- is a prompt; a subcommand is launched as it is', () => {
  const launch = prepareAgentLaunch(['claude', '--model', 'opus', '--', '--not-an-option'], fixedId)!;
  assert.deepEqual(launch.resumeTemplate, ['claude', '--model', 'opus', '--resume', '{session}']);
  assert.equal(prepareAgentLaunch(['claude', 'mcp', 'list']), null);
  assert.equal(prepareAgentLaunch(['codex', 'login']), null);
});

test('claude: an unknown option is kept as a flag and reported', () => {
  const launch = prepareAgentLaunch(['claude', '--shiny', 'hello'], fixedId)!;
  assert.deepEqual(launch.unknownOptions, ['--shiny']);
  assert.deepEqual(launch.resumeTemplate, ['claude', '--shiny', '--resume', '{session}']);
});

test('codex: --no-daemon unless given, no pre-assigned id, template with -C {cwd} and resume', () => {
  const launch = prepareAgentLaunch(['codex', '-m', 'gpt-5', '-C', '/elsewhere', '--search', 'write tests'], fixedId)!;
  assert.deepEqual(launch.argv, ['codex', '--no-daemon', '-m', 'gpt-5', '-C', '/elsewhere', '--search', 'write tests']);
  assert.equal(launch.session, null, 'codex learns its id at the first prompt');
  assert.deepEqual(launch.resumeTemplate, ['codex', '--no-daemon', '-C', '{cwd}', '-m', 'gpt-5', '--search', 'resume', '{session}']);

  const given = prepareAgentLaunch(['codex', '--no-daemon', '--yolo'], fixedId)!;
  assert.deepEqual(given.argv, ['codex', '--no-daemon', '--yolo']);
  assert.deepEqual(given.resumeTemplate, ['codex', '--no-daemon', '-C', '{cwd}', '--yolo', 'resume', '{session}']);

  const resumed = prepareAgentLaunch(['codex', 'resume', ID, '-m', 'o3'], fixedId)!;
  assert.deepEqual(resumed.argv, ['codex', '--no-daemon', 'resume', ID, '-m', 'o3']);
  assert.equal(resumed.session, ID);
  assert.deepEqual(resumed.resumeTemplate, ['codex', '--no-daemon', '-C', '{cwd}', '-m', 'o3', 'resume', '{session}']);

  const last = prepareAgentLaunch(['codex', 'resume', '--last'], fixedId)!;
  assert.equal(last.session, null);
  assert.deepEqual(last.resumeTemplate, ['codex', '--no-daemon', '-C', '{cwd}', 'resume', '{session}']);
});

test('gemini: a pre-assigned --session-id; prompt options are dropped from the template', () => {
  const launch = prepareAgentLaunch(['gemini', '-m', 'gemini-2.5-flash', '-i', 'explain this repo', '--yolo'], fixedId)!;
  assert.deepEqual(launch.argv, ['gemini', '--session-id', ID, '-m', 'gemini-2.5-flash', '-i', 'explain this repo', '--yolo']);
  assert.equal(launch.session, ID);
  assert.deepEqual(launch.resumeTemplate, ['gemini', '-m', 'gemini-2.5-flash', '--yolo', '--resume', '{session}']);

  const latest = prepareAgentLaunch(['gemini', '--resume', 'latest'], fixedId)!;
  assert.deepEqual(latest.argv, ['gemini', '--resume', 'latest'], 'no id added over a resume');
  assert.equal(latest.session, null, '"latest" names no session');
});

test('a fresh start keeps the options and takes a new id', () => {
  const fresh = freshAgentStart(['claude', '--session-id', 'old', '--model', 'opus', 'the old prompt'], fixedId)!;
  assert.deepEqual(fresh.argv, ['claude', '--session-id', ID, '--model', 'opus']);
  assert.equal(fresh.session, ID);
  const codex = freshAgentStart(['codex', '--no-daemon', 'resume', 'old-id', '--full-auto'], fixedId)!;
  assert.deepEqual(codex.argv, ['codex', '--no-daemon', '--full-auto']);
  assert.equal(codex.session, null);
  const gemini = freshAgentStart(['/opt/bin/gemini', '--resume', ID, '-p', 'once'], fixedId)!;
  assert.deepEqual(gemini.argv, ['/opt/bin/gemini', '--session-id', ID]);
});
