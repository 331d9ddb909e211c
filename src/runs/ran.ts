/**
 * Records what a run's tasks ran (task definition revision, images and digests, overrides) from their
 * "ECS Task State Change" events, for "changed since last success" in failure alerts.
 *
 * Read leniently: these fields are not needed to follow a run, so an odd value is skipped rather than the
 * event dropped. Facts fill in and are never taken back, so duplicate and out-of-order events end in the
 * same record. The tasks of one run come from the same RunTask request; should two disagree (a family
 * without revision resolved to a new revision between two RunTask calls of a fan-out, or a tag moved), the
 * smaller value is kept: a choice that does not depend on the order the events came in.
 */
import type { EcsTaskDetail } from "./events.ts";
import type { RanImage, RanWith } from "./model.ts";

/** ECS refuses overrides over 8,192 characters of JSON; anything bigger is not from ECS and is not kept. */
const MAX_OVERRIDES_JSON = 8192;
/** Image references are at most 255 characters in a task definition; digests are ~71. */
const MAX_IMAGE = 1024;

const str = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" && v.length <= MAX_IMAGE ? v : undefined;

/** The smaller of two values (either may be missing): commutative, so the order of events does not matter. */
function least(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a <= b ? a : b;
}

function overridesOf(detail: Record<string, unknown>): Record<string, unknown> | undefined {
  const o = detail.overrides;
  if (!o || typeof o !== "object" || Array.isArray(o)) return undefined;
  return JSON.stringify(o).length <= MAX_OVERRIDES_JSON ? (o as Record<string, unknown>) : undefined;
}

function mergeImages(known: readonly RanImage[], containers: readonly unknown[]): RanImage[] {
  const byName = new Map(known.map((c) => [c.name, { ...c }]));
  for (const c of containers) {
    const { name, image, imageDigest } = (c ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || name === "") continue;
    const img = str(image);
    const digest = str(imageDigest);
    if (!img && !digest) continue;
    const entry = byName.get(name) ?? { name };
    const keptImage = least(entry.image, img);
    const keptDigest = least(entry.imageDigest, digest);
    if (keptImage !== undefined) entry.image = keptImage;
    if (keptDigest !== undefined) entry.imageDigest = keptDigest;
    byName.set(name, entry);
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `ran` after one more task event; the same object when the event adds nothing. */
export function mergeRan(ran: RanWith | undefined, detail: EcsTaskDetail): RanWith | undefined {
  const d = detail as EcsTaskDetail & Record<string, unknown>;
  const taskDefinitionArn = least(ran?.taskDefinitionArn, str(d.taskDefinitionArn));
  const incoming = overridesOf(d);
  const overrides =
    ran?.overrides && incoming
      ? least(JSON.stringify(ran.overrides), JSON.stringify(incoming)) === JSON.stringify(ran.overrides)
        ? ran.overrides
        : incoming
      : (ran?.overrides ?? incoming);
  const containers = mergeImages(ran?.containers ?? [], d.containers);
  const next: RanWith = {
    ...(taskDefinitionArn !== undefined && { taskDefinitionArn }),
    containers,
    ...(overrides !== undefined && { overrides }),
  };
  if (!next.taskDefinitionArn && !next.overrides && containers.length === 0) return ran;
  return ran && JSON.stringify(ran) === JSON.stringify(next) ? ran : next;
}

/**
 * Two records of what ran, combined as if each were an event (a record has an event's fields of it): the
 * same least-value merge, so combining is commutative, associative and idempotent. For a run whose tasks
 * are stored in parts, each part keeps the record of its own events (src/ledger/split-writes.ts).
 */
export function combineRan(a: RanWith | undefined, b: RanWith | undefined): RanWith | undefined {
  return b ? mergeRan(a, b as unknown as EcsTaskDetail) : a;
}
