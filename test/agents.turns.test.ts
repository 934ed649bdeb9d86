/**
 * What an agent is doing (SPEC §14), end to end with the stand-in agent firing the turn events the
 * real CLIs fire, through hooks written into its own settings: idle → working → waiting → idle, Esc,
 * a nested agent's turns ignored, and a crash mid-turn that leaves no `working` behind.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AGENTS as AGENT_NAMES, interactive, makeAgentHome, type AgentHome, type Interactive } from './helpers/agents.js';
import { CLI, cli, cliJson } from './helpers/cli.js';
import { rows } from './helpers/db.js';
import { isAlive, waitFor } from './helpers/processes.js';
import { writeTurnHooks } from './helpers/turn-hooks.js';

interface Listed {
  name: string;
  state: string;
  turn: string | null;
  turn_since: number | null;
}

function listed(home: AgentHome, name: string): Listed {
  const entry = cliJson<Listed[]>(['list', '--all'], home.env).find((e) => e.name === name);
  assert.ok(entry !== undefined, `${name} is listed`);
  return entry;
}

function turnRows(home: AgentHome): unknown[] {
  const db = new Database(home.db, { readonly: true });
  try {
    return db.prepare('SELECT * FROM turns').all();
  } finally {
    db.close();
  }
}

function turnOf(home: AgentHome, name: string): string | null {
  return listed(home, name).turn;
}

/** Sends a line and waits for the stand-in to say its hooks for that event ran. */
async function step(job: Interactive, line: string, done: RegExp): Promise<void> {
  const before = job.output().length;
  job.send(line);
  await waitFor(`${String(done)} after ${line}`, () => done.test(job.output().slice(before)), 15_000);
}

for (const agent of AGENT_NAMES) {
  test(`${agent}: the turn follows the agent's own hooks — idle, working, waiting, idle; Esc as the real one reports it`, async () => {
    const home = makeAgentHome();
    writeTurnHooks(home, agent);
    const job = interactive(['launch', 'job', '--', agent], home.env, home.project);
    await job.waitFor(new RegExp(`ready ${agent}`));
    // codex fires SessionStart only at the first prompt: until then it reported nothing.
    assert.equal(turnOf(home, 'job'), agent === 'codex' ? 'unknown' : 'idle');

    const started = Date.now();
    await step(job, 'fix the bug', /prompt fix the bug/);
    const working = listed(home, 'job');
    assert.equal(working.turn, 'working');
    assert.ok(working.turn_since !== null && working.turn_since >= started - 1000 && working.turn_since <= Date.now(), String(working.turn_since));
    assert.match(cli(['list'], home.env).stdout, /running, working \d+s/);
    const shown = cliJson<{ turn: string; turn_since: number }>(['show', 'job'], home.env);
    assert.deepEqual([shown.turn, shown.turn_since], ['working', working.turn_since]);

    await step(job, '/permission', agent === 'codex' ? /event PermissionRequest/ : /event Notification/);
    assert.equal(turnOf(home, 'job'), 'waiting');
    await step(job, '/stop', agent === 'gemini' ? /event AfterAgent/ : /event Stop/);
    assert.equal(turnOf(home, 'job'), 'idle');

    // Esc during a turn: codex sends Interrupt, gemini AfterAgent; claude sends nothing, so lifeline
    // keeps what it was told (working, since the prompt) until the next event.
    await step(job, 'another one', /prompt another one/);
    const since = listed(home, 'job').turn_since;
    await step(job, '/esc', /escaped/);
    if (agent === 'claude') {
      assert.deepEqual([turnOf(home, 'job'), listed(home, 'job').turn_since], ['working', since]);
      await step(job, '/idle', /event Notification/); // claude's idle_prompt, 60 s after the turn ended
      assert.equal(turnOf(home, 'job'), 'idle');
      await step(job, 'third', /prompt third/);
      await step(job, '/fail', /event StopFailure/);
    }
    assert.equal(turnOf(home, 'job'), 'idle');

    // A new session (/clear) starts idle.
    await step(job, 'before the clear', /prompt before the clear/);
    assert.equal(turnOf(home, 'job'), 'working');
    job.send('/clear');
    if (agent === 'codex') await step(job, 'after the clear', /prompt after the clear/); // its SessionStart comes with the next prompt
    else {
      await job.waitFor(/source clear/);
      assert.equal(turnOf(home, 'job'), 'idle');
    }

    job.send('/exit');
    assert.equal(await job.exited, 0);
    const stopped = listed(home, 'job');
    assert.deepEqual([stopped.state, stopped.turn, stopped.turn_since], ['stopped', null, null]);
    const log = (() => {
      try {
        return readFileSync(join(home.dir, 'logs', 'hook.log'), 'utf8');
      } catch {
        return '';
      }
    })();
    assert.equal(log, '', 'every report of its own agent was taken');
  });
}

test('a nested agent inside an instance (claude -p from a tool) fires its turn hooks with the same marker: they never move the instance', async () => {
  const home = makeAgentHome();
  writeTurnHooks(home, 'claude');
  const job = interactive(['launch', 'cl', '--', 'claude'], home.env, home.project);
  await job.waitFor(/ready claude/);
  await step(job, 'run the tests', /prompt run the tests/);
  assert.equal(turnOf(home, 'cl'), 'working');
  // The nested claude submits a prompt, ends its turn, asks, quits: each with its own session id.
  await step(job, `!printf 'nested prompt\\n/permission\\n/stop\\n/exit\\n' | claude -p summarize`, /tool exit 0/);
  assert.equal(turnOf(home, 'cl'), 'working', 'the nested Stop did not end the instance turn');
  // Its turns are ignored quietly (a tool may run many); only its SessionStart, refused, is logged.
  const log = readFileSync(join(home.dir, 'logs', 'hook.log'), 'utf8').trim().split('\n');
  assert.equal(log.length, 1, log.join('\n'));
  assert.match(log[0]!, /hook claude: session \S+ \(startup\) not recorded: a new claude session/);
  // A report by hand, with the marker but another session, is ignored too; with the bound one it counts.
  await step(job, `!printf '{"session_id":"other-id","hook_event_name":"Stop"}' | '${process.execPath}' '${CLI}' hook claude`, /tool exit 0/);
  assert.equal(turnOf(home, 'cl'), 'working', 'a Stop of another session was ignored');
  await step(job, '/stop', /event Stop/);
  assert.equal(turnOf(home, 'cl'), 'idle');
  job.send('/exit');
  assert.equal(await job.exited, 0);
});

test('kill -9 of an agent mid-turn leaves no working: not while its row is a ghost, not after reconcile, not in the next life', async () => {
  const home = makeAgentHome();
  writeTurnHooks(home, 'gemini');
  const job = interactive(['launch', 'gm', '--', 'gemini'], home.env, home.project);
  await job.waitFor(/ready gemini/);
  await step(job, 'a long task', /prompt a long task/);
  assert.equal(turnOf(home, 'gm'), 'working');

  const pid = Number(rows(home.db).find((row) => row['name'] === 'gm')!['pid']);
  job.child.kill('SIGKILL');
  await job.exited;
  process.kill(pid, 'SIGKILL');
  await waitFor('the agent to die', () => !isAlive(pid));
  const ghost = listed(home, 'gm');
  assert.match(ghost.state, /^dead/);
  assert.deepEqual([ghost.turn, ghost.turn_since], [null, null], 'a ghost shows no turn');

  assert.equal(cli(['reconcile', '--force'], home.env).code, 0);
  assert.deepEqual([turnOf(home, 'gm'), listed(home, 'gm').state], [null, 'stopped']);
  assert.deepEqual(turnRows(home), [], 'the stop path took the turn with the row');
  const leftover = cli(['show', 'gm', '--json'], home.env);
  assert.doesNotMatch(leftover.stdout, /working/, 'the snapshot keeps no turn');

  // The next life starts from its own reports: resumed, the agent waits for a prompt.
  const again = interactive(['r', 'gm'], home.env, home.project);
  await again.waitFor(/source resume/);
  assert.equal(turnOf(home, 'gm'), 'idle');
  again.send('/exit');
  assert.equal(await again.exited, 0);
});

test('agents install writes the turn hooks beside SessionStart (codex trusts each, Interrupt with its 1 s default), uninstall takes them out exactly', async () => {
  const home = makeAgentHome(['codex', 'claude']);
  const config = join(home.user, '.codex', 'config.toml');
  const mine = '# mine\nmodel = "o3"\n';
  writeFileSync(config, mine);
  assert.equal(cli(['agents', 'install', 'codex', 'claude'], home.env).code, 0);
  const status = cliJson<{ agents: { agent: string; state: string }[] }>(['agents', 'status'], home.env);
  assert.deepEqual(status.agents.map((a) => a.state), ['installed', 'installed']);

  const job = interactive(['launch', 'cx', '--', 'codex'], home.env, home.project);
  await job.waitFor(/ready codex/);
  await step(job, 'go', /prompt go/);
  assert.doesNotMatch(job.output(), /Hooks need review/);
  assert.equal(turnOf(home, 'cx'), 'working');
  await step(job, '/esc', /event Interrupt/);
  assert.equal(turnOf(home, 'cx'), 'idle', 'codex ran the Interrupt hook: its trust hash holds');
  job.send('/exit');
  assert.equal(await job.exited, 0);

  assert.equal(cli(['agents', 'uninstall', 'codex', 'claude'], home.env).code, 0);
  assert.equal(readFileSync(config, 'utf8'), mine);
});
