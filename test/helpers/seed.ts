import assert from 'node:assert/strict';
import { cli } from './cli.js';
import type { TestHome } from './home.js';

/** Lets lifeline create its database the way a user's first command does. */
export function createDatabase(home: TestHome): void {
  const result = cli(['launch', 'seed', '--', 'true'], home.env);
  assert.equal(result.code, 0, result.stderr);
}
