/**
 * The agent folders `agents install` created (an agent named on the command line whose folder did not
 * exist), so `uninstall` can remove them again: an empty folder says nothing about who made it, and
 * removing the user's own empty `~/.gemini` would be wrong. One absolute path a line in
 * `<state folder>/agent-folders`, written like every file of lifeline's state (never through a link).
 */
import { closeSync, lstatSync, readFileSync, rmdirSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensurePrivateFolder, openPrivateFile } from '../store/files.js';

function recordFile(home: string): string {
  return join(home, 'agent-folders');
}

function recorded(home: string): string[] {
  try {
    const stats = lstatSync(recordFile(home));
    // Only a plain file of ours is believed: the record decides which folders lifeline removes.
    if (!stats.isFile() || stats.uid !== process.getuid?.()) return [];
    return readFileSync(recordFile(home), 'utf8').split('\n').filter((line) => line !== '');
  } catch {
    return [];
  }
}

function writeRecord(home: string, folders: readonly string[]): void {
  try {
    unlinkSync(recordFile(home));
  } catch {
    // Not there yet.
  }
  if (folders.length === 0) return;
  const fd = openPrivateFile(recordFile(home), 'wx');
  try {
    writeSync(fd, folders.map((folder) => `${folder}\n`).join(''));
  } finally {
    closeSync(fd);
  }
}

/** `folder` (the topmost folder install's mkdir created) is lifeline's to remove again. */
export function recordCreatedFolder(home: string, folder: string): void {
  ensurePrivateFolder(home, 'the state folder');
  const fd = openPrivateFile(recordFile(home), 'a');
  try {
    writeSync(fd, `${folder}\n`);
  } finally {
    closeSync(fd);
  }
}

/**
 * After uninstall removed a file install created: its folder, and the folders above it up to one
 * install created, go when they are empty (the agent wrote nothing there meanwhile) and install made them.
 */
export function removeCreatedFolders(home: string, fileFolder: string): void {
  const folders = recorded(home);
  const top = folders.find((folder) => fileFolder === folder || fileFolder.startsWith(`${folder}/`));
  if (top === undefined) return;
  for (let folder = fileFolder; ; folder = dirname(folder)) {
    try {
      rmdirSync(folder);
    } catch {
      return; // Not empty: the agent or the user keeps something there, and the record stays true.
    }
    if (folder === top) break;
  }
  writeRecord(home, folders.filter((folder) => folder !== top));
}

