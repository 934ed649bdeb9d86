import { existsSync } from 'node:fs';
import { LifelineError } from '../errors.js';
import { DarwinProbe } from './darwin.js';
import { LinuxProbe } from './linux.js';
import type { ProcessProbe } from './types.js';

export type { EnvironCheck, EnvironValue, ProcessDescription, ProcessFacts, ProcessProbe } from './types.js';

/**
 * The platform lifeline runs on. The probe is the one module that asks Node; everything else asks
 * here, so a platform decision has one home (as psutil picks its backend once).
 */
export function platform(): NodeJS.Platform {
  return process.platform;
}

/** `LIFELINE_PROC_ROOT` lets tests and containers point every read at another proc tree. */
export function procRoot(env: NodeJS.ProcessEnv = process.env): string {
  const root = env['LIFELINE_PROC_ROOT'];
  return root !== undefined && root !== '' ? root : '/proc';
}

/** The probe for this platform; an unsupported one is a clear error, not a crash later. */
export function platformProbe(env: NodeJS.ProcessEnv = process.env): ProcessProbe {
  const root = procRoot(env);
  const os = platform();
  if (os === 'linux' || (os !== 'darwin' && existsSync(`${root}/stat`))) {
    if (!existsSync(root)) {
      throw new LifelineError('unsupported-platform', `no proc filesystem at ${root}; lifeline cannot verify processes here`);
    }
    return new LinuxProbe(root);
  }
  if (os === 'darwin') return new DarwinProbe();
  throw new LifelineError(
    'unsupported-platform',
    `${os} is not supported (lifeline needs Linux's /proc or macOS)`,
  );
}
