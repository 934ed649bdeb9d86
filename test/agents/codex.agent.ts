import { codex } from './profiles.js';
import { realAgentSuite } from './scenario.js';

// The real `codex` CLI, pinned and installed into a cache folder: `npm run test:agents` (not part of `npm test`).
realAgentSuite(codex);
