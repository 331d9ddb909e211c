/**
 * Spec grammar the Lambda handlers test at run time (job names in URLs, allowlist entries), kept apart from
 * schema.ts so that a handler bundle holds these two regexes rather than classic zod and the spec schema.
 */

export const JOB_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** What an HTTP caller may override. `CONTAINER.` scopes an entry to one container (default: the first). */
export const OVERRIDE_PATH =
  /^(count|cpu|memory|([A-Za-z0-9_-]{1,255}\.)?(command|environment\.\*|environment\.[A-Za-z_][A-Za-z0-9_]*))$/;

/** The most tasks one run may start (`task.count`, the HTTP `count` override, the dashboard form). */
export const MAX_TASK_COUNT = 10_000;
