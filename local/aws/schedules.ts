/**
 * The local stand-in for the EventBridge Scheduler API (REST-JSON): the schedules a deploy would create, one per
 * scheduled job in the stack's group, with Get/List/Update/Create/Delete. The handlers pause a job after N
 * failures (UpdateSchedule State=DISABLED) and resume it over HTTP through it, and the local scheduler fires
 * only ENABLED schedules, so pause and resume behave locally as in AWS. State and modification time are kept
 * in `<dataDir>/schedules.json`: a paused job stays paused across restarts (as a deploy keeps it paused), and a
 * schedule whose expression did not change keeps its modification time (where rate schedules count from).
 */
import { renameSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { scheduleEntry, scheduleRequest } from "../../deploy/schedules.ts";
import { type PersistedSchedules, readPersisted } from "../../src/cli/local-schedules-file.ts";
import type { Job } from "../../src/host/domain.ts";
import { sendJson, sendJsonError } from "./protocol.ts";

const CONTENT_TYPE = "application/json";
const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;

/** GetSchedule's output as it travels (timestamps in epoch seconds, the REST-JSON default). */
export interface StoredSchedule {
  Arn: string;
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  State: "ENABLED" | "DISABLED";
  Description?: string;
  FlexibleTimeWindow: unknown;
  StartDate?: number;
  EndDate?: number;
  ActionAfterCompletion?: string;
  Target: Record<string, unknown>;
  CreationDate: number;
  LastModificationDate: number;
}

export interface ScheduleStore {
  isEnabled(name: string): boolean;
  /** When the schedule was last created or modified. */
  modifiedAt(name: string): Date | undefined;
  get(name: string): StoredSchedule | undefined;
  /**
   * The jobs folder changed while the stack runs: schedules of new jobs are created, changed ones updated
   * (a paused one stays paused unless its expression changed, as on a deploy), removed ones deleted.
   */
  sync(jobs: readonly Job[]): void;
  /** Serves one REST-JSON request under /schedules; false when the path is not the Scheduler's. */
  handle(res: ServerResponse, method: string, url: URL, body: Buffer): boolean;
}

export interface ScheduleStoreOptions {
  jobs: readonly Job[];
  group: string;
  region: string;
  accountId: string;
  /** Where runtime state changes are kept. */
  stateFile: string;
  now?: () => Date;
}

const seconds = (d: Date | undefined): number | undefined =>
  d === undefined ? undefined : Math.floor(d.getTime() / 1000);

export function createScheduleStore(options: ScheduleStoreOptions): ScheduleStore {
  const now = options.now ?? (() => new Date());
  const arnPrefix = `arn:aws:scheduler:${options.region}:${options.accountId}:schedule/`;
  const lambda = (fn: string) => `arn:aws:lambda:${options.region}:${options.accountId}:function:${fn}`;
  const target = {
    arn: lambda("ecs-jobs-local-schedule"),
    roleArn: `arn:aws:iam::${options.accountId}:role/ecs-jobs-local-scheduler`,
    deadLetterArn: `arn:aws:sqs:${options.region}:${options.accountId}:ecs-jobs-local-schedule-dlq`,
  };
  const retry = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 };
  const persisted = readPersisted(options.stateFile);
  const schedules = new Map<string, StoredSchedule>();
  const started = seconds(now()) ?? 0;

  /** The schedule of each scheduled job, as a deploy would leave it; `before` = what the last run kept. */
  const place = (jobs: readonly Job[], previous: PersistedSchedules, at: number) => {
    const wanted = new Set<string>();
    for (const job of jobs) {
      const entry = scheduleEntry(job, retry);
      if (!entry) continue;
      wanted.add(entry.name);
      const before = previous[entry.name];
      const same = before?.expression === entry.expression && before.timezone === entry.timezone;
      // A schedule the spec disables stays disabled; one paused at runtime stays paused.
      const state = entry.enabled ? (same ? (before?.state ?? "ENABLED") : "ENABLED") : "DISABLED";
      const req = scheduleRequest(entry, options.group, target, retry, state);
      const startDate = seconds(req.StartDate);
      const endDate = seconds(req.EndDate);
      schedules.set(entry.name, {
        Arn: `${arnPrefix}${options.group}/${entry.name}`,
        Name: entry.name,
        GroupName: options.group,
        ScheduleExpression: req.ScheduleExpression ?? entry.expression,
        ...(req.ScheduleExpressionTimezone && { ScheduleExpressionTimezone: req.ScheduleExpressionTimezone }),
        State: state,
        ...(req.Description && { Description: req.Description }),
        FlexibleTimeWindow: req.FlexibleTimeWindow,
        ...(startDate !== undefined && { StartDate: startDate }),
        ...(endDate !== undefined && { EndDate: endDate }),
        ...(req.ActionAfterCompletion && { ActionAfterCompletion: req.ActionAfterCompletion }),
        Target: req.Target as unknown as Record<string, unknown>,
        CreationDate: before?.created ?? at,
        LastModificationDate: same && before.state === state ? before.modified : at,
      });
    }
    for (const name of [...schedules.keys()]) if (!wanted.has(name)) schedules.delete(name);
  };
  place(options.jobs, persisted, started);

  /** The schedules as schedules.json keeps them (also what a reload of the jobs starts from). */
  const snapshot = (): PersistedSchedules => {
    const out: PersistedSchedules = {};
    for (const s of schedules.values())
      out[s.Name] = {
        state: s.State,
        created: s.CreationDate,
        modified: s.LastModificationDate,
        expression: s.ScheduleExpression,
        ...(s.ScheduleExpressionTimezone && { timezone: s.ScheduleExpressionTimezone }),
      };
    return out;
  };

  const persist = () => {
    const out = snapshot();
    const tmp = `${options.stateFile}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 2, schedules: out }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, options.stateFile);
  };
  persist();

  const groupOk = (group: string | null | undefined) =>
    group === null || group === undefined || group === "" || group === options.group;
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    sendJsonError(res, status, code, message, CONTENT_TYPE);
  const ok = (res: ServerResponse, body: unknown) => sendJson(res, 200, body, CONTENT_TYPE);

  function write(res: ServerResponse, name: string, body: Buffer, mode: "create" | "update"): void {
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      error(res, 400, "ValidationException", "The request body is not valid JSON.");
      return;
    }
    if (!groupOk(input.GroupName as string | undefined)) {
      error(
        res,
        404,
        "ResourceNotFoundException",
        `Schedule group ${String(input.GroupName)} does not exist.`,
      );
      return;
    }
    for (const field of ["ScheduleExpression", "FlexibleTimeWindow", "Target"]) {
      if (input[field] === undefined) {
        error(
          res,
          400,
          "ValidationException",
          `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
        );
        return;
      }
    }
    const state = input.State === undefined ? "ENABLED" : input.State;
    if (state !== "ENABLED" && state !== "DISABLED") {
      error(
        res,
        400,
        "ValidationException",
        `Value '${String(state)}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`,
      );
      return;
    }
    const existing = schedules.get(name);
    if (mode === "update" && !existing) {
      error(res, 404, "ResourceNotFoundException", `Schedule ${name} does not exist.`);
      return;
    }
    if (mode === "create" && existing) {
      error(res, 409, "ConflictException", `Schedule ${name} already exists.`);
      return;
    }
    const stamp = seconds(now()) ?? 0;
    const schedule: StoredSchedule = {
      Arn: `${arnPrefix}${options.group}/${name}`,
      Name: name,
      GroupName: options.group,
      ScheduleExpression: String(input.ScheduleExpression),
      ...(typeof input.ScheduleExpressionTimezone === "string" && {
        ScheduleExpressionTimezone: input.ScheduleExpressionTimezone,
      }),
      State: state,
      ...(typeof input.Description === "string" && { Description: input.Description }),
      FlexibleTimeWindow: input.FlexibleTimeWindow,
      ...(typeof input.StartDate === "number" && { StartDate: input.StartDate }),
      ...(typeof input.EndDate === "number" && { EndDate: input.EndDate }),
      ...(typeof input.ActionAfterCompletion === "string" && {
        ActionAfterCompletion: input.ActionAfterCompletion,
      }),
      Target: input.Target as Record<string, unknown>,
      CreationDate: existing?.CreationDate ?? stamp,
      LastModificationDate: stamp,
    };
    schedules.set(name, schedule);
    persist();
    ok(res, { ScheduleArn: schedule.Arn });
  }

  return {
    isEnabled: (name) => schedules.get(name)?.State === "ENABLED",
    sync(jobs) {
      const kept = snapshot();
      place(jobs, kept, seconds(now()) ?? started);
      persist();
    },
    modifiedAt: (name) => {
      const s = schedules.get(name);
      return s ? new Date(s.LastModificationDate * 1000) : undefined;
    },
    get: (name) => schedules.get(name),
    handle(res, method, url, body) {
      const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
      if (parts[0] !== "schedules" || parts.length > 2) return false;
      const name = parts[1];
      if (name === undefined) {
        if (method !== "GET") return false;
        if (!groupOk(url.searchParams.get("ScheduleGroup"))) {
          error(res, 404, "ResourceNotFoundException", "Schedule group does not exist.");
          return true;
        }
        const prefix = url.searchParams.get("NamePrefix") ?? "";
        const state = url.searchParams.get("State");
        const list = [...schedules.values()]
          .filter((s) => s.Name.startsWith(prefix) && (!state || s.State === state))
          .map((s) => ({
            Arn: s.Arn,
            Name: s.Name,
            GroupName: s.GroupName,
            State: s.State,
            CreationDate: s.CreationDate,
            LastModificationDate: s.LastModificationDate,
            Target: { Arn: s.Target.Arn },
          }));
        ok(res, { Schedules: list });
        return true;
      }
      if (!NAME.test(name)) {
        error(
          res,
          400,
          "ValidationException",
          `Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$`,
        );
        return true;
      }
      if (method === "GET" || method === "DELETE") {
        if (!groupOk(url.searchParams.get("groupName"))) {
          error(
            res,
            404,
            "ResourceNotFoundException",
            `Schedule group ${url.searchParams.get("groupName")} does not exist.`,
          );
          return true;
        }
        const schedule = schedules.get(name);
        if (!schedule) {
          error(res, 404, "ResourceNotFoundException", `Schedule ${name} does not exist.`);
          return true;
        }
        if (method === "GET") ok(res, schedule);
        else {
          schedules.delete(name);
          persist();
          ok(res, {});
        }
        return true;
      }
      if (method === "PUT") {
        write(res, name, body, "update");
        return true;
      }
      if (method === "POST") {
        write(res, name, body, "create");
        return true;
      }
      return false;
    },
  };
}
