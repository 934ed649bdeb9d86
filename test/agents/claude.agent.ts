import { claude } from './profiles.js';
import { realAgentSuite } from './scenario.js';

// The real `claude` CLI, pinned and installed into a cache folder: `npm run test:agents` (not part of `npm test`).
realAgentSuite(claude);
