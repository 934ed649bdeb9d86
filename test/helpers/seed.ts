import assert from 'node:assert/strict';
import { cli } from './cli.js';
import { makeHome, type TestHome } from './home.js';
import { privateTmux, type PrivateTmux } from './tmux.js';

/** Lets lifeline create its database the way a user's first command does. */
export function createDatabase(home: TestHome): void {
  const result = cli(['launch', 'seed', '--', 'true'], home.env);
  assert.equal(result.code, 0, result.stderr);
}

/** A fresh home whose tmux is a private server (TMUX unset), with its database made: where the restore, reboot and shutdown tests start. */
export function homeWithPrivateTmux(): { home: TestHome; tmux: PrivateTmux } {
  const tmux = privateTmux();
  const home = makeHome(tmux.env);
  delete home.env['TMUX'];
  createDatabase(home);
  return { home, tmux };
}
