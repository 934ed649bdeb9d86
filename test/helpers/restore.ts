/** One result of `lifeline r --all --json`: the five fields its JSON has, as a script reads them. */
export interface RestoreJsonResult {
  name: string;
  action: string;
  reason: string | null;
  pid: number | null;
  where: string | null;
}
