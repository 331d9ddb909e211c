/**
 * Gives every generated job its own task definition family (generate-jobs.ts shares ~150 between 1,000 jobs,
 * as teams do): the worst case for the IAM grants, which grow with distinct families. The reference keeps its
 * form (bare family, family:revision or full ARN); only the family changes, to `app-0042` (the generator's own
 * naming, one digit longer) or, with `familyChars`, a longer name of that many characters.
 */
export function distinctFamilies(
  files: Record<string, string>,
  familyChars = 8,
  familyName: (n: number) => string = (n) => `app-${String(n).padStart(familyChars - 4, "0")}`,
): Record<string, string> {
  let n = 0;
  return Object.fromEntries(
    Object.entries(files).map(([name, text]) => {
      if (!/^\s*taskDefinition: /m.test(text)) return [name, text];
      const family = familyName(n++);
      return [
        name,
        text.replace(
          /^(\s*taskDefinition: (?:arn:[^\s]*:task-definition\/)?)[A-Za-z0-9_-]+/m,
          (_m, head: string) => `${head}${family}`,
        ),
      ];
    }),
  );
}

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
