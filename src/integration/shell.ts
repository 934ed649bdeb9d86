import { LifelineError } from '../errors.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export const SNIPPET_BEGIN = '# >>> lifeline >>>';
export const SNIPPET_END = '# <<< lifeline <<<';

/** Everything the snippet needs, frozen when `init` runs so later changes of the environment don't move it. */
export interface SnippetTarget {
  /** Absolute path of node, and of lifeline's cli.js: no PATH lookup, no npx, no wrapper process. */
  readonly node: string;
  readonly cli: string;
  readonly stamp: string;
  /** A boot's notice that no terminal has shown yet, and `<notice>.shown`, claimed by the shell that shows it. */
  readonly notice: string;
  /** `--db PATH` when the database was chosen, else the state folder passed as LIFELINE_HOME. */
  readonly db: string | null;
  readonly home: string;
  readonly procRoot: string;
  /** On macOS the boot id comes from one `sysctl`; on Linux from files read by shell built-ins. */
  readonly platform: 'linux' | 'darwin';
}

export function parseShell(name: string | undefined): Shell {
  if (name !== undefined && (SHELLS as readonly string[]).includes(name)) return name as Shell;
  throw new LifelineError('usage', `name a shell: lifeline init ${SHELLS.join('|')}`);
}

/** POSIX single quotes: everything literal, a quote written as '\''. */
function posixQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** fish single quotes: only \\ and \' are escapes. */
function fishQuote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function posixSnippet(target: SnippetTarget, shell: 'bash' | 'zsh'): string {
  const q = posixQuote;
  const bootFile = `${target.procRoot}/sys/kernel/random/boot_id`;
  const statFile = `${target.procRoot}/stat`;
  const readBoot =
    target.platform === 'darwin'
      ? `  __lifeline_boot=$(sysctl -n kern.bootsessionuuid 2>/dev/null)`
      : [
          `  if [ -r ${q(bootFile)} ]; then`,
          `    IFS= read -r __lifeline_boot < ${q(bootFile)}`,
          `  elif [ -r ${q(statFile)} ]; then`,
          `    while read -r __lifeline_key __lifeline_value __lifeline_rest; do`,
          `      if [ "$__lifeline_key" = btime ]; then __lifeline_boot="btime:$__lifeline_value"; break; fi`,
          `    done < ${q(statFile)}`,
          `  fi`,
        ].join('\n');
  const where = target.db !== null ? `--db ${q(target.db)}` : '';
  const env = [`LIFELINE_HOME=${q(target.home)}`, target.procRoot !== '/proc' ? `LIFELINE_PROC_ROOT=${q(target.procRoot)}` : '']
    .filter(Boolean)
    .join(' ');
  return [
    SNIPPET_BEGIN,
    `# Reconciles lifeline once per boot (${shell}). Later shells of the same boot compare the boot id`,
    '# with the stamp using shell built-ins only, and start no process at all.',
    'if [ -z "${LIFELINE_SKIP_RECONCILE-}" ]; then',
    '  __lifeline_boot= __lifeline_seen=',
    readBoot,
    `  if [ -r ${q(target.stamp)} ]; then IFS= read -r __lifeline_seen < ${q(target.stamp)}; fi`,
    `  if [ -n "$__lifeline_boot" ] && [ "$__lifeline_boot" != "$__lifeline_seen" ] && [ -x ${q(target.node)} ] && [ -f ${q(target.cli)} ]; then`,
    `    ${env} ${q(target.node)} ${q(target.cli)} reconcile --quiet --defer-notice ${where}`.trimEnd(),
    '  fi',
    '  # A notice a shell without a terminal left pending: shown once, by the first terminal shell that claims it.',
    `  if [ -t 1 ] && [ -s ${q(target.notice)} ]; then`,
    shell === 'zsh' ? '    if [[ -o clobber ]]; then __lifeline_nc=; else __lifeline_nc=1; fi' : '    case $- in *C*) __lifeline_nc=1 ;; *) __lifeline_nc= ;; esac',
    '    set -C',
    `    if { : > ${q(`${target.notice}.shown`)}; } 2>/dev/null; then`,
    `      while IFS= read -r __lifeline_line; do printf '%s\n' "$__lifeline_line"; done < ${q(target.notice)}`,
    '    fi',
    '    [ -n "$__lifeline_nc" ] || set +C',
    '  fi',
    '  unset __lifeline_boot __lifeline_seen __lifeline_key __lifeline_value __lifeline_rest __lifeline_nc __lifeline_line',
    'fi',
    SNIPPET_END,
  ].join('\n');
}

function fishSnippet(target: SnippetTarget): string {
  const q = fishQuote;
  const bootFile = `${target.procRoot}/sys/kernel/random/boot_id`;
  const statFile = `${target.procRoot}/stat`;
  const readBoot =
    target.platform === 'darwin'
      ? `    set lifeline_boot (sysctl -n kern.bootsessionuuid 2>/dev/null)`
      : [
          `    if test -r ${q(bootFile)}`,
          `        read lifeline_boot < ${q(bootFile)}`,
          `    else if test -r ${q(statFile)}`,
          `        while read -l key value rest`,
          `            if test "$key" = btime`,
          `                set lifeline_boot "btime:$value"`,
          `                break`,
          `            end`,
          `        end < ${q(statFile)}`,
          `    end`,
        ].join('\n');
  const where = target.db !== null ? ` --db ${q(target.db)}` : '';
  return [
    SNIPPET_BEGIN,
    '# Reconciles lifeline once per boot (fish). Later shells of the same boot compare the boot id',
    '# with the stamp using shell built-ins only, and start no process at all.',
    'if not set -q LIFELINE_SKIP_RECONCILE',
    '    set -l lifeline_boot ""',
    '    set -l lifeline_seen ""',
    readBoot,
    `    if test -r ${q(target.stamp)}`,
    `        read lifeline_seen < ${q(target.stamp)}`,
    '    end',
    `    if test -n "$lifeline_boot"; and test "$lifeline_boot" != "$lifeline_seen"; and test -x ${q(target.node)}; and test -f ${q(target.cli)}`,
    `        set -lx LIFELINE_HOME ${q(target.home)}`,
    ...(target.procRoot !== '/proc' ? [`        set -lx LIFELINE_PROC_ROOT ${q(target.procRoot)}`] : []),
    `        ${q(target.node)} ${q(target.cli)} reconcile --quiet --defer-notice${where}`,
    '    end',
    '    # A notice a shell without a terminal left pending: shown once, by the first terminal shell.',
    '    # (fish has no silent exclusive create: two terminals opened in the same instant may both show it.)',
    // `test -L` too: a planted link at the claim's name (beside a --db in a shared folder) is never written through.
    `    if test -t 1; and test -s ${q(target.notice)}; and not test -e ${q(`${target.notice}.shown`)}; and not test -L ${q(`${target.notice}.shown`)}`,
    `        true > ${q(`${target.notice}.shown`)}`,
    '        while read -l lifeline_line',
    '            echo $lifeline_line',
    `        end < ${q(target.notice)}`,
    '    end',
    'end',
    SNIPPET_END,
  ].join('\n');
}

export function shellSnippet(shell: Shell, target: SnippetTarget): string {
  return `${shell === 'fish' ? fishSnippet(target) : posixSnippet(target, shell)}\n`;
}

/** The rc file a person adds the snippet to, for the README, `init`'s hint and `doctor`. */
export function rcFile(shell: Shell, home: string, env: NodeJS.ProcessEnv = process.env): string {
  if (shell === 'bash') return `${home}/.bashrc`;
  if (shell === 'zsh') return `${env['ZDOTDIR'] || home}/.zshrc`;
  return `${env['XDG_CONFIG_HOME'] || `${home}/.config`}/fish/config.fish`;
}
