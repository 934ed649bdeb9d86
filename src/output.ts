/**
 * The only module that writes to stdout. Data (tables, JSON, plain results) goes to stdout so it
 * can be piped; notices for the person at the terminal go through consola to stderr (notices.ts).
 */

import { writeSync } from 'node:fs';

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

/**
 * Bytes exactly as given (a log), written at once: a slow reader makes this wait rather than
 * lifeline hold what it has not taken yet, so a log of any size is copied in bounded memory.
 */
export function printBytes(bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset, bytes.length - offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // A non-blocking stdout: let the reader catch up.
    }
  }
}

export function printJson(value: unknown): void {
  stdout().write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Colour only for a person: a TTY, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && (process.env['NO_COLOR'] ?? '') === '' && process.env['TERM'] !== 'dumb';
}

const ANSI = { red: 31, green: 32, yellow: 33, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof ANSI;

export function paint(text: string, colour: Colour): string {
  return useColor() ? `\u001B[${ANSI[colour]}m${text}\u001B[0m` : text;
}

/**
 * C0 controls (ESC, BEL, CR, newline, …), DEL, C1 controls, and the bidirectional overrides and
 * isolates that make a terminal show text in another order than it is.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const HAS_CONTROL = new RegExp(CONTROL.source);
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const code = char.charCodeAt(0);
  return NAMED[char] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/**
 * Text that users or programs supplied (tags, folders, argv, binding values, names read from a
 * database), made safe for a terminal: every control character is shown as an escape, so an ESC
 * cannot set the clipboard (OSC 52) or recolour the screen, and a newline cannot forge a row.
 * For human output only; JSON output carries the text unchanged.
 */
export function visible(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** A table cell that printTable paints after escaping its text. */
export interface PaintedCell {
  readonly text: string;
  readonly colour: Colour;
}

const ANSI_PATTERN = /\u001B\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return text.replace(ANSI_PATTERN, '').length;
}

/**
 * A plain aligned table: two spaces between columns, the last column not padded. Every cell is
 * data and is escaped (`visible`); colour comes only from a PaintedCell, after escaping.
 */
export function printTable(headers: readonly string[], cells: readonly (readonly (string | PaintedCell)[])[]): void {
  const rows = cells.map((row) => row.map((cell) => (typeof cell === 'string' ? visible(cell) : paint(visible(cell.text), cell.colour))));
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

/**
 * Quotes a word for a shell only when it needs it, so printed commands can be pasted. A word holding
 * control characters is written in `$'…'` quoting (bash, zsh, ksh; POSIX 2024), never raw.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_/.:=@%+,-]+$/.test(word)) return word;
  if (HAS_CONTROL.test(word)) {
    return `$'${word.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(CONTROL, escapeOne)}'`;
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/** Text without ANSI colour codes (citty colours its usage and its errors). */
export function stripAnsi(text: string): string {
  return text.replace(/\u001B\[[0-9;]*m/g, '');
}
