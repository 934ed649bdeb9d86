/**
 * Imported first by every Node entry (cli.ts, supervise.ts). Node opens its inspector on
 * 127.0.0.1:9229 when a process receives SIGUSR1, and any local user who reaches that port runs
 * code inside the process — as root, when root launched. Node 20 has no `--disable-sigusr1`; a
 * listener of our own replaces that default, so the signal does nothing.
 */
process.on('SIGUSR1', () => {
  // Deliberately nothing: the signal is neither a debugger request nor a reason to exit.
});
