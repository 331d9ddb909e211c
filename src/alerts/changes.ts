/**
 * "Changed since last success" for failure alerts (SPEC section 6): what the failed run ran compared with
 * the job's last successful run — task definition revision, each container's image (and digest, when ECS
 * reported one for both runs), and the overrides ECS applied — or "nothing changed". Pure: both runs are
 * taken from the ledger by the caller.
 *
 * Environment values may be secrets, so a changed variable is named, never shown; other override values
 * are named by path only too (a command line can carry a token as well).
 */
import type { RanWith, Run } from "../runs/model.ts";

export interface Change {
  what: "taskDefinition" | "image" | "imageDigest" | "container" | "overrides";
  /** The container, for image changes. */
  container?: string;
  /** The override that changed, e.g. `containerOverrides[app].environment.MODE`. */
  path?: string;
  before?: string;
  after?: string;
}

export interface ChangesSinceSuccess {
  /** The last success compared with; absent when the job has none on record. */
  since?: { runId: string; createdAt: string };
  /** False when either run has no record of what it ran: the comparison could not be made. */
  known: boolean;
  changes: Change[];
  /** One line a person reads: "task definition report:7 → report:8; …" or "nothing changed". */
  text: string;
}

/** `family:revision` from a task definition ARN (the part people recognise), or the value as given. */
export const revisionOf = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** Lists of named things (containerOverrides, environment) are compared by name, not position. */
function keyed(list: readonly unknown[]): Map<string, unknown> | undefined {
  const out = new Map<string, unknown>();
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== "string") return undefined;
    out.set(item.name, "value" in item && Object.keys(item).length <= 2 ? item.value : item);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The paths under which two override documents differ, deepest first-differing level. */
export function overridePaths(before: unknown, after: unknown, path = ""): string[] {
  if (same(before, after)) return [];
  if (Array.isArray(before) && Array.isArray(after)) {
    const b = keyed(before);
    const a = keyed(after);
    if (a && b) {
      const names = [...new Set([...b.keys(), ...a.keys()])].sort();
      const sub = (n: string) => (path.endsWith("environment") ? `${path}.${n}` : `${path}[${n}]`);
      return names.flatMap((n) => overridePaths(b.get(n), a.get(n), sub(n)));
    }
    return [path];
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => overridePaths(before[k], after[k], path ? `${path}.${k}` : k));
  }
  return [path || "(all)"];
}

export function ranChanges(before: RanWith, after: RanWith): Change[] {
  const changes: Change[] = [];
  if (
    before.taskDefinitionArn &&
    after.taskDefinitionArn &&
    before.taskDefinitionArn !== after.taskDefinitionArn
  ) {
    changes.push({
      what: "taskDefinition",
      before: revisionOf(before.taskDefinitionArn),
      after: revisionOf(after.taskDefinitionArn),
    });
  }
  const was = new Map(before.containers.map((c) => [c.name, c]));
  const now = new Map(after.containers.map((c) => [c.name, c]));
  for (const name of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const b = was.get(name);
    const a = now.get(name);
    if (!b || !a) {
      changes.push({
        what: "container",
        container: name,
        ...(b?.image && { before: b.image }),
        ...(a?.image && { after: a.image }),
      });
    } else if (b.image && a.image && b.image !== a.image) {
      changes.push({ what: "image", container: name, before: b.image, after: a.image });
    } else if (b.imageDigest && a.imageDigest && b.imageDigest !== a.imageDigest) {
      changes.push({ what: "imageDigest", container: name, before: b.imageDigest, after: a.imageDigest });
    }
  }
  for (const path of overridePaths(before.overrides ?? {}, after.overrides ?? {}))
    changes.push({ what: "overrides", path });
  return changes;
}

function describe(c: Change): string {
  switch (c.what) {
    case "taskDefinition":
      return `task definition ${c.before} → ${c.after}`;
    case "image":
      return `image of ${c.container} ${c.before} → ${c.after}`;
    case "imageDigest":
      return `image of ${c.container} same tag, new digest ${c.before} → ${c.after}`;
    case "container":
      return c.before === undefined
        ? `container ${c.container} added${c.after ? ` (${c.after})` : ""}`
        : `container ${c.container} removed`;
    case "overrides":
      return `override ${c.path} changed`;
  }
}

/**
 * What changed between the job's last success and `failed`. `lastSuccess` undefined: no success on record
 * (within what the caller read).
 */
export function changesSinceSuccess(failed: Run, lastSuccess: Run | undefined): ChangesSinceSuccess {
  if (!lastSuccess) return { known: false, changes: [], text: "no earlier success on record" };
  const since = { runId: lastSuccess.runId, createdAt: lastSuccess.createdAt };
  if (!lastSuccess.ran || !failed.ran) {
    const which = failed.ran ? `the last success (${lastSuccess.runId})` : "this run";
    return { since, known: false, changes: [], text: `unknown: ${which} has no record of what it ran` };
  }
  const changes = ranChanges(lastSuccess.ran, failed.ran);
  return {
    since,
    known: true,
    changes,
    text: changes.length === 0 ? "nothing changed" : changes.map(describe).join("; "),
  };
}
