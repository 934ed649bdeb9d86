/**
 * The only module that writes to stdout. Data (tables, JSON, plain results) goes to stdout so it
 * can be piped; notices for the person at the terminal go through consola to stderr (notices.ts).
 */

let stdoutGuarded = false;

/**
 * A reader that closed its end (`lifeline events | head -1`) ends the command quietly, as it would
 * end `cat`: no stack trace. Installed at the first write, so a command that prints nothing (the
 * quiet reconcile at shell start) never touches stdout.
 */
function stdout(): NodeJS.WriteStream {
  if (!stdoutGuarded) {
    stdoutGuarded = true;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  return process.stdout;
}

export function printLine(text = ''): void {
  stdout().write(`${text}\n`);
}

/** Text exactly as given (a snippet, a file's content). */
export function printText(text: string): void {
  stdout().write(text);
}

export function printJson(value: unknown): void {
  stdout().write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Colour only for a person: a TTY, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && (process.env['NO_COLOR'] ?? '') === '' && process.env['TERM'] !== 'dumb';
}

const ANSI = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;

export function paint(text: string, colour: keyof typeof ANSI): string {
  return useColor() ? `\u001B[${ANSI[colour]}m${text}\u001B[0m` : text;
}

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\u001B\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI_PATTERN, '').length;
}

/** A plain aligned table: two spaces between columns, the last column not padded. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => visibleLength(row[column] ?? ''))));
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visibleLength(cell))))
      .join('  ')
      .trimEnd();
  printLine(paint(format(headers), 'bold'));
  for (const row of rows) printLine(format(row));
}

/** `1d 2h`, `3h 4m`, `5m 6s`, `7s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s}s`;
  return `${s}s`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Quotes a word for a POSIX shell only when it needs it, so printed commands can be pasted. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_/.:=@%+,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
