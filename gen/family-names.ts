/** Task definition family names for the scale tests and benchmarks. */
const TEAMS = [
  "payments",
  "identity",
  "analytics",
  "inventory",
  "shipping",
  "billing",
  "search",
  "compliance",
];
const SUBJECTS = ["ledger", "invoices", "sessions", "orders", "customers", "refunds", "exports", "snapshots"];
const CADENCES = ["nightly", "hourly", "weekly", "daily", "monthly"];
const VERBS = ["reconcile", "export", "compact", "rollup", "backfill", "cleanup", "sync", "archive"];

/**
 * Family names as teams write them, 24 to 40 characters: `payments-ledger-nightly-reconcile-42`. The number
 * keeps them distinct; the words vary with it so that no two neighbours share a long prefix.
 */
export function realisticFamily(n: number): string {
  const pick = <T>(list: readonly T[], k: number) => list[k % list.length] as T;
  const words = [
    pick(TEAMS, n),
    pick(SUBJECTS, Math.floor(n / 8)),
    // A third of them say no cadence: shorter names too.
    ...(n % 3 === 0 ? [] : [pick(CADENCES, Math.floor(n / 64))]),
    pick(VERBS, n * 3 + 1),
  ].join("-");
  const suffix = `-${n}`;
  return `${words.slice(0, 40 - suffix.length)}${suffix}`.padEnd(24, "x");
}
