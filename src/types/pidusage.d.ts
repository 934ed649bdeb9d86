// pidusage 4 ships no types; this is the part lifeline uses.
declare module 'pidusage' {
  interface Stat {
    cpu: number;
    memory: number;
    ppid: number;
    pid: number;
    ctime: number;
    elapsed: number;
    timestamp: number;
  }
  function pidusage(pid: number | string): Promise<Stat>;
  function pidusage(pids: (number | string)[]): Promise<Record<string, Stat | undefined | null>>;
  namespace pidusage {
    function clear(): void;
  }
  export default pidusage;
}
