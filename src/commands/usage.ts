/**
 * What `lifeline <command> --help` shows as its USAGE: each line runnable as written. citty builds its
 * line from the declared arguments, which leaves out what a user must type (`-- CMD`, `NAME...`,
 * `KIND=VALUE`, `AGENT...`); these lines say it. Options that only lifeline itself passes (the
 * launcher a tmux window runs) are not shown at all.
 */
export const USAGE_LINES: Readonly<Record<string, readonly string[]>> = {
  launch: ['lifeline launch [NAME] [OPTIONS] -- CMD [ARGS...]'],
  track: ['lifeline track NAME --pid PID [OPTIONS]'],
  bind: ['lifeline bind NAME KIND=VALUE... [OPTIONS]'],
  unbind: ['lifeline unbind NAME KIND[=VALUE]... [OPTIONS]'],
  list: ['lifeline list [OPTIONS]'],
  stop: ['lifeline stop NAME... [OPTIONS]', 'lifeline stop --all [OPTIONS]'],
  reconcile: ['lifeline reconcile [OPTIONS]'],
  resume: ['lifeline r NAME [OPTIONS]', 'lifeline r --all --tmux[=SESSION] [OPTIONS]', 'lifeline r --all --detach [OPTIONS]'],
  events: ['lifeline events [NAME] [OPTIONS]'],
  init: ['lifeline init bash|zsh|fish [OPTIONS]'],
  'login-item': ['lifeline login-item install|uninstall|status [OPTIONS]'],
  doctor: ['lifeline doctor [OPTIONS]'],
  logs: ['lifeline logs NAME [OPTIONS]'],
  forget: ['lifeline forget NAME... [OPTIONS]', 'lifeline forget --all-stopped [OPTIONS]'],
  show: ['lifeline show NAME [OPTIONS]'],
  hook: ['lifeline hook claude|codex|gemini [OPTIONS]'],
  agents: ['lifeline agents install|uninstall|status [AGENT...] [OPTIONS]'],
  wait: ['lifeline wait NAME... --until idle|waiting|stopped [OPTIONS]'],
};

/** Options lifeline passes to itself, never typed by a person. */
export const INTERNAL_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  launch: ['reserved', 'resumed-from'],
};

/** citty's rendered help with our USAGE lines and without the internal options. */
export function helpText(command: string, rendered: string): string {
  const name = command === 'r' ? 'resume' : command;
  const usage = USAGE_LINES[name];
  const hidden = INTERNAL_OPTIONS[name] ?? [];
  const lines = rendered.split('\n').filter((line) => !hidden.some((option) => new RegExp(`^\\s*--${option}[=\\s]`).test(line)));
  if (usage === undefined) return lines.join('\n');
  return lines.map((line) => (line.startsWith('USAGE ') ? usage.map((text, i) => `${i === 0 ? 'USAGE' : '     '} ${text}`).join('\n') : line)).join('\n');
}
