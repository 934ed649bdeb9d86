import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The first executable file of that name on PATH, as a shell would find it; null when there is none. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const folder of (env['PATH'] ?? '').split(delimiter)) {
    if (folder === '') continue;
    const candidate = join(folder, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}
