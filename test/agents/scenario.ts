import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { have } from '../helpers/processes.js';
import { installAgent, installFolder } from './install.js';
import { commandLine, isRunning, killTree, processTree, signalAll } from './procs.js';
import { BUSY, type AgentProfile } from './profiles.js';
import { PrivateTmux, tidy, type Pane } from './tmux.js';
import { AgentWorld, canBoot } from './world.js';

/**
 * The real-agent scenario, the same for each agent: launch under lifeline in a tmux pane, type a
 * prompt, kill -9 the whole tree, reconcile, `r` from another folder, and see the conversation come
 * back with the same `session` binding; then the same after `/clear`; then a graceful shutdown
 * (SIGTERM to every process of the world at once) and a new boot, where `r --all --tmux` brings it back.
 *
 * Waits are generous (a loaded 2-core CI machine) but bounded, and every failure shows the pane.
 */

const READY_MS = 60_000;
const TAKEN = new RegExp(`${BUSY.source}|Waiting for startup`);
const TRANSCRIPT_MS = 45_000;
const RESUME_MS = 60_000;
/** Bounds a test even when every wait runs long; with later tests of a failed agent skipped, a broken agent costs CI a few minutes, not an hour. */
const TEST_MS = 3 * 60_000;

function word(agent: AgentProfile): string {
  return `${agent.name}-${randomBytes(4).toString('hex')}`;
}

async function waitUntil<T>(what: string, probe: () => T | undefined, timeoutMs: number, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${context()}`);
    await sleep(250);
  }
}

/** Runs `body` in a fresh world, and always disposes of the world (processes, tmux server, folder). */
async function inWorld(agent: AgentProfile, binDir: string, body: (world: AgentWorld) => Promise<void>): Promise<void> {
  const world = new AgentWorld(agent, binDir);
  try {
    await body(world);
  } finally {
    await world.dispose();
  }
}

class Driver {
  constructor(
    readonly world: AgentWorld,
    readonly t: TestContext,
  ) {}

  get agent(): AgentProfile {
    return this.world.agent;
  }

  screenOf(pane: Pane): string {
    try {
      return `Pane ${pane.label}:\n${tidy(this.world.tmux.capture(pane))}\n${this.world.tmux.terminalModes(pane)}`;
    } catch (error) {
      return `Pane ${pane.label}: cannot capture (${String(error)})`;
    }
  }

  /** A pane running `command` in `cwd`, waited on until the agent's prompt box is on screen; returns ms to ready. */
  async open(label: string, cwd: string, command: string): Promise<{ pane: Pane; readyMs: number }> {
    const started = Date.now();
    const pane = this.world.tmux.openWindow(label, cwd, command);
    await this.world.tmux.waitFor(pane, `"${this.agent.readyText}" (agent ready)`, (s) => s.includes(this.agent.readyText), READY_MS, 50);
    return { pane, readyMs: Date.now() - started };
  }

  /**
   * Types a prompt and submits it, then waits for a transcript holding it. Enter goes only once the
   * text is visible in the prompt box (a key sent with the text can be taken as part of a paste).
   * codex sometimes drops the first Enter (seen offline): only there is Enter repeated, and only
   * when the first one started nothing.
   */
  async prompt(pane: Pane, text: string): Promise<string[]> {
    const { tmux } = this.world;
    // Typed again only when none of it arrived (an agent busy redrawing can drop keys); a partial
    // line would need erasing, and is left to fail with the pane shown.
    const head = text.slice(0, 12);
    for (let attempt = 1; ; attempt++) {
      tmux.type(pane, text);
      try {
        await tmux.waitFor(pane, `the typed prompt "${text}" in the input box`, (s) => s.includes(attempt < 3 ? head : text), attempt < 3 ? 5_000 : 15_000);
        break;
      } catch (error) {
        // Late rather than lost: the wait for the whole line below gives it time.
        if (tmux.capture(pane).includes(head)) break;
        if (attempt >= 3) throw error;
        this.t.diagnostic(`${this.agent.name}: the typed prompt did not arrive, typing it again (attempt ${attempt + 1})`);
      }
    }
    await tmux.waitFor(pane, `the typed prompt "${text}" in the input box`, (s) => s.includes(text), 15_000);
    await sleep(200);
    tmux.press(pane, 'Enter');
    const holding = (): string[] | undefined => {
      const files = this.world.transcriptsHolding(text);
      return files.length > 0 ? files : undefined;
    };
    // An Enter that was taken starts a turn (busy), is queued behind codex's own start ("Waiting for
    // startup", which can outlast the prompt box's appearance by seconds offline) or writes the
    // transcript; only when none of these happened is it pressed again.
    for (let attempt = 2; this.agent.name === 'codex' && attempt <= 3; attempt++) {
      const started = await waitUntil('a turn or a transcript', () => (holding() ?? TAKEN.test(tmux.capture(pane)) ? true : undefined), 8_000, () => '').catch(
        () => false,
      );
      if (started) break;
      this.t.diagnostic(`${this.agent.name}: the prompt was not taken, pressing Enter again (attempt ${attempt})`);
      tmux.press(pane, 'Enter');
    }
    return waitUntil(`a ${this.agent.name} transcript holding "${text}"`, holding, TRANSCRIPT_MS, () => this.screenOf(pane));
  }

  /**
   * Ends the turn the prompt started (offline it only retries the unreachable API): codex refuses
   * `/clear` during a turn, claude and gemini would queue it behind the turn. A prompt typed while
   * the agent still initializes is queued (gemini: "Prompts will be queued") and its turn starts
   * later, so the agent counts as idle only once no turn has shown for a few quiet seconds.
   */
  async interrupt(pane: Pane, prompt: string): Promise<void> {
    const { tmux } = this.world;
    const deadline = Date.now() + 60_000;
    let quietSince = Date.now();
    let escapes = 0;
    while (Date.now() - quietSince < 5_000) {
      if (Date.now() > deadline) throw new Error(`the agent did not become idle after ${escapes} Escape(s)\n${this.screenOf(pane)}`);
      if (BUSY.test(tmux.capture(pane))) {
        tmux.press(pane, 'Escape');
        escapes++;
        await tmux.waitFor(pane, 'the turn to end after Escape', (s) => !BUSY.test(s), 5_000).catch(() => undefined);
        quietSince = Date.now();
      }
      await sleep(250);
    }
    if (this.agent.interruptRestoresPrompt && escapes > 0) {
      tmux.press(pane, 'C-u');
      await tmux.waitFor(pane, `the interrupted prompt "${prompt}" erased from the input box`, (s) => !s.includes(prompt), 10_000);
    }
  }

  /**
   * `/clear` after the turn of `oldPrompt`; done when the hook bound a new session (claude, gemini
   * run SessionStart at the clear) or, for codex (whose hook waits for the next prompt), when the
   * new prompt box is drawn. Enter is repeated while "/clear" is still typed: a slash command opens
   * a completion menu first, which may take an early Enter.
   */
  async clear(pane: Pane, name: string, oldPrompt: string, oldSession: string): Promise<void> {
    const { tmux } = this.world;
    await this.interrupt(pane, oldPrompt);
    tmux.type(pane, '/clear');
    await tmux.waitFor(pane, 'the typed "/clear"', (s) => s.includes('/clear'), 15_000);
    await sleep(500);
    // codex blanks the screen for seconds while it starts the new session (6 s offline): a blank
    // screen is not yet cleared, the new prompt box must be drawn before anything is typed.
    const cleared = (screen: string): boolean =>
      !screen.includes(oldPrompt) &&
      screen.includes(this.agent.readyText) &&
      (this.agent.sessionAtFirstPrompt ? !screen.includes('/clear') : this.world.sessionBinding(name) !== oldSession);
    const what = this.agent.sessionAtFirstPrompt ? 'the new prompt box after /clear' : `a new session bound by the hook after /clear (was ${oldSession})`;
    for (let attempt = 1; attempt <= 3; attempt++) {
      tmux.press(pane, 'Enter');
      const screen = await tmux.waitFor(pane, what, (s) => cleared(s) || !s.includes('/clear'), 5_000).catch(() => tmux.capture(pane));
      if (cleared(screen) || !screen.includes('/clear')) break;
    }
    try {
      await tmux.waitFor(pane, what, cleared, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.world.hookLog()}`);
    }
    // The hook runs while the agent still sets up the new session; keys typed then can be lost.
    await sleep(1_000);
  }

  async waitSession(name: string, differentFrom: string | undefined, pane: Pane): Promise<string> {
    return waitUntil(
      differentFrom === undefined ? `a session binding on ${name}` : `a session binding on ${name} other than ${differentFrom}`,
      () => {
        const session = this.world.sessionBinding(name);
        return session !== undefined && session !== differentFrom ? session : undefined;
      },
      TRANSCRIPT_MS,
      () => `${this.screenOf(pane)}\n${this.world.hookLog()}`,
    );
  }

  /** kill -9 of the pane's whole tree (lifeline's launcher and the agent below it): a crash leaves a ghost. */
  async crash(pane: Pane): Promise<void> {
    const victims = await killTree(pane.pid);
    assert.ok(victims.length >= 2, `expected lifeline and the agent under the pane, found ${victims.join(', ')}`);
    await this.world.tmux.waitFor(pane, 'the pane to show its program ended', () => this.world.tmux.state(pane).dead, 10_000);
  }

  /**
   * A graceful shutdown of the world's session: SIGTERM to every process of the world at once (the
   * agent's whole tree, lifeline's launcher in the pane and its waiter, the shells, the private tmux
   * server), found by the world's run token so nothing outside is touched. Waits for lifeline to record
   * the end, then SIGKILLs what is left, as a shutdown does after its wait.
   */
  async shutdown(pane: Pane, name: string): Promise<void> {
    const { world } = this;
    const tree = processTree(pane.pid);
    const victims = [...new Set([...world.processes(), ...tree])];
    const server = world.tmux.serverPid();
    assert.ok(tree.length >= 2, `expected lifeline and the agent under the pane, found ${tree.join(', ')}`);
    assert.ok(server !== null && victims.includes(server), `the private tmux server (${server}) is not among the world's processes ${victims.join(', ')}`);
    const outside = tree.filter((pid) => !world.processes().includes(pid));
    assert.deepEqual(outside, [], 'every process under the pane carries the world run token');
    const names = victims.map((pid) => commandLine(pid).slice(0, 2).map((arg) => basename(arg)).join(' '));
    signalAll(victims, 'SIGTERM');
    let left: number;
    try {
      await waitUntil(`lifeline to record the end of ${name}`, () => (world.liveRow(name) === undefined ? true : undefined), 20_000, () => {
        const running = victims.filter(isRunning).map((pid) => `${pid} ${commandLine(pid).join(' ').slice(0, 120)}`);
        return `still running after SIGTERM:\n${running.join('\n')}`;
      });
      left = victims.filter(isRunning).length;
    } finally {
      await world.killLeftovers();
    }
    this.t.diagnostic(`${this.agent.name}: SIGTERM to ${victims.length} processes [${names.join(', ')}]; still running once the end was recorded: ${left}`);
  }

  reconcile(name: string): void {
    const report = JSON.parse(this.world.lifelineOk(['reconcile', '--force', '--json'])) as {
      results: { name: string; verdict: string; action: string; reason?: string }[];
    };
    const mine = report.results.find((result) => result.name === name);
    assert.equal(mine?.action, 'stopped', `reconcile should stop the ghost ${name}: ${JSON.stringify(report)}`);
  }

  /** `lifeline r NAME` from the other folder, in a new pane; waits for `text` on screen. */
  async resume(name: string, label: string, text: string): Promise<Pane> {
    const pane = this.world.tmux.openWindow(label, this.world.elsewhere, `lifeline r ${name}`);
    await this.world.tmux.waitFor(pane, `the earlier prompt "${text}" back on screen`, (s) => s.includes(text), RESUME_MS);
    return pane;
  }

  /** The resumed agent runs in the recorded project folder and was given the session id. */
  assertResumedInProject(pane: Pane, session: string): void {
    const agentProcesses = processTree(pane.pid).filter((pid) => commandLine(pid).some((arg) => arg.includes(session)));
    assert.ok(agentProcesses.length > 0, `no process under the pane carries the session id ${session}\n${this.screenOf(pane)}`);
    const cwds = agentProcesses.map((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`);
      } catch {
        return '?';
      }
    });
    assert.ok(cwds.includes(this.world.project), `the resumed agent runs in ${cwds.join(', ')}, not ${this.world.project}`);
  }

  installHooks(): void {
    const out = this.world.lifelineOk(['agents', 'install']);
    this.t.diagnostic(`lifeline agents install: ${out.trim().split('\n').join(' | ')}`);
  }
}

function assertTranscriptOf(agent: AgentProfile, files: readonly string[], session: string): void {
  assert.ok(
    files.some((file) => agent.transcriptOf(file, session)),
    `the session binding ${session} is not the session whose transcript holds the prompt: ${files.join(', ')}`,
  );
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}


/** Defines the suite of one agent: installs it (or skips when the registry is out of reach), then the tests. */
export function realAgentSuite(agent: AgentProfile): void {
  if (!have('tmux')) {
    test(`${agent.name} (real ${agent.pkg} ${agent.version})`, { skip: 'tmux is not installed' }, () => {});
    return;
  }
  const install = installAgent(agent);
  if (install.kind === 'skip') {
    console.log(`# skipped ${agent.name}: ${install.reason}`);
    test(`${agent.name} (real ${agent.pkg} ${agent.version})`, { skip: install.reason }, () => {});
    return;
  }
  const binDir = install.binDir;
  const where = installFolder(agent);
  console.log(
    install.cached
      ? `# ${agent.pkg}@${agent.version}: cached in ${where}`
      : `# ${agent.pkg}@${agent.version}: installed in ${where} in ${(install.ms / 1000).toFixed(1)} s`,
  );

  let failed: string | null = null;
  /** A test in a fresh world; after one failure the agent's later tests are skipped (they would wait out the same trouble). */
  const scenario = (name: string, body: (world: AgentWorld, t: TestContext) => Promise<void>): void => {
    test(name, { timeout: TEST_MS }, async (t) => {
      if (failed !== null) return t.skip(`${agent.name} already failed "${failed}"`);
      try {
        await inWorld(agent, binDir, (world) => body(world, t));
      } catch (error) {
        failed = name;
        throw error;
      }
    });
  };

  describe(`${agent.name} (real ${agent.pkg} ${agent.version})`, () => {
    scenario('kill -9, reconcile, r from another folder: the conversation and its session id come back', async (world, t) => {
      const drive = new Driver(world, t);
      drive.installHooks();
      const { pane, readyMs } = await drive.open('launch', world.project, `lifeline launch job -- ${agent.bin}`);
      t.diagnostic(`${agent.name}: launch to ready ${readyMs} ms`);
      const said = `remember the word ${word(agent)}`;
      const files = await drive.prompt(pane, said);
      const session = await drive.waitSession('job', undefined, pane);
      assertTranscriptOf(agent, files, session);

      await drive.crash(pane);
      drive.reconcile('job');
      assert.equal(world.snapshotSession('job'), session, 'the life.stopped snapshot keeps the session binding');

      const back = await drive.resume('job', 'resume', said);
      await world.tmux.waitFor(back, 'the resumed agent ready', (s) => s.includes(agent.readyText), READY_MS);
      assert.equal(world.sessionBinding('job'), session, 'the resumed instance is bound to the same session');
      drive.assertResumedInProject(back, session);
    });

    scenario('/clear, kill -9, r: the conversation after the clear comes back (new session id from the hook)', async (world, t) => {
      const drive = new Driver(world, t);
      drive.installHooks();
      const { pane } = await drive.open('launch', world.project, `lifeline launch job -- ${agent.bin}`);
      const before = `remember the word ${word(agent)}`;
      await drive.prompt(pane, before);
      const first = await drive.waitSession('job', undefined, pane);

      await drive.clear(pane, 'job', before, first);
      const afterClear = `now remember ${word(agent)}`;
      const files = await drive.prompt(pane, afterClear);
      const second = await drive.waitSession('job', first, pane);
      assertTranscriptOf(agent, files, second);

      await drive.crash(pane);
      drive.reconcile('job');
      assert.equal(world.snapshotSession('job'), second, 'the snapshot holds the session after /clear');

      const back = await drive.resume('job', 'resume', afterClear);
      const screen = world.tmux.capture(back);
      assert.ok(!screen.includes(before), `the conversation before /clear came back instead:\n${tidy(screen)}`);
      assert.equal(world.sessionBinding('job'), second);
      drive.assertResumedInProject(back, second);
    });

    scenario(
      'graceful shutdown (SIGTERM to all at once), new boot: reconcile names it exit:shutdown, r --all --tmux brings back the conversation and its session id',
      async (world, t) => {
        if (!canBoot) return t.skip('needs root, unshare and nsenter (a private mount namespace with a new boot id)');
        const drive = new Driver(world, t);
        drive.installHooks();
        const { pane } = await drive.open('launch', world.project, `lifeline launch job -- ${agent.bin}`);
        const said = `remember the word ${word(agent)}`;
        const files = await drive.prompt(pane, said);
        const session = await drive.waitSession('job', undefined, pane);
        assertTranscriptOf(agent, files, session);
        const oldPid = Number(world.liveRow('job')?.['pid']);
        // The shutdown: every process of the world gets SIGTERM at once, then SIGKILL for what is left.

        await drive.shutdown(pane, 'job');
        assert.equal(world.stoppedReason('job'), 'exit:shutdown', 'the waiter records the end as part of the shutdown');
        assert.equal(world.snapshotSession('job'), session, 'the life.stopped snapshot keeps the session binding');

        const boot = await world.newBoot();
        const reconciled = boot.lifeline(['reconcile', '--json']);
        assert.equal(reconciled.code, 0, reconciled.stderr);
        const report = JSON.parse(reconciled.stdout) as {
          boot_id: string;
          results: { name: string; pid: number | null; verdict: string; reason: string | null; action: string }[];
        };
        assert.equal(report.boot_id, boot.bootId, 'lifeline sees the new boot');
        assert.deepEqual(report.results, [{ name: 'job', pid: oldPid, verdict: 'dead', reason: 'exit:shutdown', action: 'ended-with-boot' }]);

        // r --all --tmux from another folder, as after a login: it starts a tmux server of its own
        // (tmux's default socket in the world's TMUX_TMPDIR), inside the new boot.
        const tmux = new PrivateTmux('default', world.tmuxDir, world.env);
        try {
          const restored = boot.lifeline(['r', '--all', '--tmux', '--json'], world.elsewhere, { TMUX_TMPDIR: world.tmuxDir });
          assert.equal(restored.code, 0, `${restored.stdout}${restored.stderr}`);
          const results = (JSON.parse(restored.stdout) as { results: { name: string; action: string; where: string | null }[] }).results;
          assert.deepEqual(results.map((r) => [r.name, r.action]), [['job', 'resumed']], restored.stdout);
          const [id, pid] = tmux.run(['list-panes', '-t', results[0]!.where!, '-F', '#{pane_id} #{pane_pid}']).trim().split('\n')[0]!.split(' ');
          const back: Pane = { id: id!, pid: Number(pid), label: 'restored' };
          await tmux.waitFor(back, `the earlier prompt "${said}" back on screen`, (s) => s.includes(said), RESUME_MS);
          await tmux.waitFor(back, 'the resumed agent ready', (s) => s.includes(agent.readyText), READY_MS);
          assert.equal(world.sessionBinding('job'), session, 'the resumed instance is bound to the same session');
          assert.equal(world.liveRow('job')?.['boot_id'], boot.bootId, 'the resumed instance runs in the new boot');
          drive.assertResumedInProject(back, session);
        } finally {
          tmux.kill();
        }
      },
    );

    scenario("the turn follows the agent's own hooks: working after a prompt; Esc as the agent reports it (claude: nothing)", async (world, t) => {
      const drive = new Driver(world, t);
      drive.installHooks();
      const { pane } = await drive.open('launch', world.project, `lifeline launch job -- ${agent.bin}`);
      const turnOf = (): string | null | undefined =>
        (JSON.parse(world.lifelineOk(['list', '--json'])) as { name: string; turn: string | null }[]).find((entry) => entry.name === 'job')?.turn;
      const context = (): string => `turn ${String(turnOf())}\n${drive.screenOf(pane)}\n${world.hookLog()}`;
      // codex reports nothing before its first prompt; claude and gemini a new session at start.
      await waitUntil('the turn at start', () => (turnOf() === (agent.sessionAtFirstPrompt ? 'unknown' : 'idle') ? true : undefined), 15_000, context);
      const said = `remember the word ${word(agent)}`;
      await drive.prompt(pane, said);
      await waitUntil('working after the prompt', () => (turnOf() === 'working' ? true : undefined), 30_000, context);
      assert.doesNotMatch(world.tmux.capture(pane), /need review/i, 'codex trusts every hook lifeline installed');
      await drive.interrupt(pane, said);
      if (agent.name === 'claude') {
        // claude sends no event on Esc: lifeline keeps what it was told.
        await sleep(3_000);
        assert.equal(turnOf(), 'working', context());
      } else {
        await waitUntil('idle after Esc (codex Interrupt, gemini AfterAgent)', () => (turnOf() === 'idle' ? true : undefined), 15_000, context);
      }
      await killTree(pane.pid);
    });

    scenario('what the hook costs', async (world, t) => {
      const drive = new Driver(world, t);
      const runs = Math.max(1, Number(process.env['LIFELINE_AGENTS_TIMING_RUNS'] ?? 3));
      let count = 0;
      const launchToReady = async (): Promise<number> => {
        const name = `timing${++count}`;
        const { pane, readyMs } = await drive.open(name, world.project, `lifeline launch ${name} -- ${agent.bin}`);
        await killTree(pane.pid);
        world.tmux.closeWindow(pane);
        return readyMs;
      };
      // codex runs its SessionStart hook at the first prompt, not at start: only the hook's own run time counts there.
      if (!agent.sessionAtFirstPrompt) {
        await launchToReady(); // warm-up: the first start reads the package from disk
        const without: number[] = [];
        for (let i = 0; i < runs; i++) without.push(await launchToReady());
        drive.installHooks();
        const withHook: number[] = [];
        for (let i = 0; i < runs; i++) withHook.push(await launchToReady());
        t.diagnostic(
          `${agent.name}: launch to ready, median of ${runs}: without hook ${median(without)} ms [${without.join(', ')}], ` +
            `with hook ${median(withHook)} ms [${withHook.join(', ')}]`,
        );
      } else {
        drive.installHooks();
      }

      // The hook itself, as the agent runs it: JSON on stdin, the marker of a live instance in the environment.
      const { pane } = await drive.open('hooked', world.project, `lifeline launch hooked -- ${agent.bin}`);
      const marker = world.marker('hooked');
      const hook = (sessionId: string, source: string): ReturnType<AgentWorld['lifeline']> => {
        const payload = JSON.stringify({ session_id: sessionId, transcript_path: '/nonexistent', cwd: world.project, hook_event_name: 'SessionStart', source });
        return world.lifeline(['hook', agent.name], world.project, payload, { LIFELINE_INSTANCE_ID: marker });
      };
      // The session lifeline chose (claude, gemini), or for codex, which has none before its first prompt,
      // a first one: reported again and again by hand, it is taken (a hand-run report of another id is not).
      const own = world.sessionBinding('hooked') ?? '00000000-0000-4000-8000-000000000000';
      const hookRuns: number[] = [];
      for (let i = 0; i < 10; i++) {
        const startedAt = process.hrtime.bigint();
        const result = hook(own, 'resume');
        hookRuns.push(Number((process.hrtime.bigint() - startedAt) / 1_000_000n));
        assert.equal(result.code, 0, `lifeline hook ${agent.name} exited ${result.code}: ${result.stderr}`);
        assert.equal(result.stdout, '', 'the hook prints nothing on stdout');
      }
      assert.equal(world.sessionBinding('hooked'), own, 'the hook bound the session');
      assert.equal(hook('00000000-0000-4000-8000-000000000009', 'clear').code, 0);
      assert.equal(world.sessionBinding('hooked'), own, 'a clear run by hand, outside the agent, does not move the session');
      // A bare node start on the same machine at the same moment: the floor any node-based hook pays.
      const nodeRuns: number[] = [];
      for (let i = 0; i < 10; i++) {
        const startedAt = process.hrtime.bigint();
        spawnSync(process.execPath, ['-e', '0']);
        nodeRuns.push(Number((process.hrtime.bigint() - startedAt) / 1_000_000n));
      }
      t.diagnostic(
        `${agent.name}: lifeline hook ${agent.name} run time, median of 10: ${median(hookRuns)} ms [${hookRuns.join(', ')}]; ` +
          `node -e 0: ${median(nodeRuns)} ms`,
      );
      await killTree(pane.pid);
    });
  });
}

