/**
 * The deploy-time schedule reconciler against a schedule group faked behind aws-sdk-client-mock: it keeps
 * schedules like the Scheduler API does (paginated listing, Conflict/NotFound errors, whole-object updates).
 */
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  ThrottlingException,
  UpdateScheduleCommand,
  ValidationException,
} from "@aws-sdk/client-scheduler";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { reconcileSchedules } from "../../deploy/reconcile-schedules.ts";
import {
  buildManifest,
  type ResolvedTarget,
  type ScheduleManifest,
  SPEC_DISABLED_MARK,
} from "../../deploy/schedules.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import { loadModel, violations } from "./botocore.ts";

const GROUP = "ecs-jobs-test";
const TARGET: ResolvedTarget = {
  arn: "arn:aws:lambda:eu-west-1:111122223333:function:ecs-jobs-test-schedule",
  roleArn: "arn:aws:iam::111122223333:role/ecs-jobs-test-eu-west-1-scheduler",
  deadLetterArn: "arn:aws:sqs:eu-west-1:111122223333:ecs-jobs-test-schedules-dlq",
};
const RETRY = { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 };
const scheduler = loadModel("scheduler");
const noSleep = async () => {};

function jobs(specs: Record<string, string>): Job[] {
  const { jobs, issues } = parseJobs(
    Object.entries(specs).map(([name, schedule]) => ({
      file: `jobs/${name}.yml`,
      text: `${schedule}\ntask:\n  taskDefinition: app:1\n  launchType: EC2\n`,
    })),
  );
  expect(issues).toEqual([]);
  return jobs;
}

const manifestOf = (specs: Record<string, string>): ScheduleManifest =>
  buildManifest(jobs(specs), GROUP, { arn: "", roleArn: "", deadLetterArn: "" }, RETRY);

/** A schedule group as the Scheduler API keeps it. */
class FakeGroup {
  readonly schedules = new Map<string, CreateScheduleCommandInput>();
  readonly mock = mockClient(SchedulerClient);
  readonly client = new SchedulerClient({ region: "eu-west-1" });
  inFlight = 0;
  maxInFlight = 0;

  constructor() {
    const busy = async <T>(fn: () => T): Promise<T> => {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      await new Promise((r) => setTimeout(r, 1));
      this.inFlight--;
      return fn();
    };
    const notFound = (name?: string) =>
      new ResourceNotFoundException({
        message: `Schedule ${name} does not exist.`,
        Message: `Schedule ${name} does not exist.`,
        $metadata: {},
      });
    this.mock.on(ListSchedulesCommand).callsFake(async (input) => {
      const names = [...this.schedules.keys()].filter(() => input.GroupName === GROUP).sort();
      const start = input.NextToken ? Number(input.NextToken) : 0;
      const size = Math.min(input.MaxResults ?? 100, 100);
      const page = names.slice(start, start + size);
      return {
        Schedules: page.map((Name) => ({ Name, GroupName: GROUP, State: this.schedules.get(Name)?.State })),
        ...(start + size < names.length && { NextToken: String(start + size) }),
      };
    });
    this.mock.on(GetScheduleCommand).callsFake((input) =>
      busy(() => {
        const s = this.schedules.get(input.Name);
        if (!s) throw notFound(input.Name);
        return {
          ...structuredClone(s),
          Arn: `arn:aws:scheduler:eu-west-1:111122223333:schedule/${GROUP}/${s.Name}`,
        };
      }),
    );
    this.mock.on(CreateScheduleCommand).callsFake((input) =>
      busy(() => {
        if (this.schedules.has(input.Name))
          throw new ConflictException({ message: "exists", Message: "exists", $metadata: {} });
        this.schedules.set(input.Name, structuredClone(input));
        return { ScheduleArn: "arn" };
      }),
    );
    this.mock.on(UpdateScheduleCommand).callsFake((input) =>
      busy(() => {
        if (!this.schedules.has(input.Name)) throw notFound(input.Name);
        this.schedules.set(input.Name, structuredClone(input));
        return { ScheduleArn: "arn" };
      }),
    );
    this.mock.on(DeleteScheduleCommand).callsFake((input) =>
      busy(() => {
        if (!this.schedules.delete(input.Name ?? "")) throw notFound(input.Name);
        return {};
      }),
    );
  }

  calls(command: unknown): number {
    return this.mock.commandCalls(command as never).length;
  }

  reconcile(manifest: ScheduleManifest, options: { concurrency?: number } = {}) {
    return reconcileSchedules({ client: this.client, manifest, target: TARGET, sleep: noSleep, ...options });
  }
}

let group: FakeGroup;
beforeEach(() => {
  group?.mock.restore();
  group = new FakeGroup();
});

const THREE = {
  nightly:
    "schedule:\n  expression: cron(0 3 * * ? *)\n  timezone: Europe/Paris\n  flexibleWindowMinutes: 15",
  hourly: 'schedule:\n  expression: "@hourly"',
  often: 'schedule:\n  expression: "@every 5m"\n  enabled: false',
};

describe("reconcileSchedules", () => {
  it("creates one schedule per entry, each a valid CreateSchedule request for the schedule function", async () => {
    const result = await group.reconcile(manifestOf(THREE));
    expect(result.created).toEqual(["hourly", "nightly", "often"]);
    expect(group.calls(CreateScheduleCommand)).toBe(3);
    for (const call of group.mock.commandCalls(CreateScheduleCommand)) {
      expect(violations(scheduler, "CreateSchedule", call.args[0].input)).toEqual([]);
    }
    const nightly = group.schedules.get("nightly");
    expect(nightly).toMatchObject({
      GroupName: GROUP,
      ScheduleExpression: "cron(0 3 * * ? *)",
      ScheduleExpressionTimezone: "Europe/Paris",
      State: "ENABLED",
      FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 },
      Target: {
        Arn: TARGET.arn,
        RoleArn: TARGET.roleArn,
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: TARGET.deadLetterArn },
      },
    });
    expect(JSON.parse(nightly?.Target?.Input ?? "")).toEqual({
      job: "nightly",
      executionId: "<aws.scheduler.execution-id>",
      scheduledTime: "<aws.scheduler.scheduled-time>",
    });
    expect(group.schedules.get("hourly")?.ScheduleExpression).toBe("cron(0 * * * ? *)");
    expect(group.schedules.get("often")).toMatchObject({
      ScheduleExpression: "rate(5 minutes)",
      State: "DISABLED",
    });
  });

  it("is idempotent: a second run with the same jobs writes nothing", async () => {
    await group.reconcile(manifestOf(THREE));
    group.mock.resetHistory();
    const result = await group.reconcile(manifestOf(THREE));
    expect(result.unchanged).toEqual(["hourly", "nightly", "often"]);
    expect(result.created.length + result.updated.length + result.deleted.length).toBe(0);
    for (const write of [CreateScheduleCommand, UpdateScheduleCommand, DeleteScheduleCommand]) {
      expect(group.calls(write)).toBe(0);
    }
  });

  it("updates changed schedules and deletes those whose job is gone, leaving the others alone", async () => {
    await group.reconcile(manifestOf(THREE));
    group.mock.resetHistory();
    const result = await group.reconcile(
      manifestOf({
        nightly:
          "schedule:\n  expression: cron(30 4 * * ? *)\n  timezone: Europe/Paris\n  flexibleWindowMinutes: 15",
        hourly: THREE.hourly,
        fresh: 'schedule:\n  expression: "@daily"\n  timezone: Asia/Tokyo',
      }),
    );
    expect(result).toMatchObject({
      created: ["fresh"],
      updated: ["nightly"],
      deleted: ["often"],
      unchanged: ["hourly"],
    });
    expect(group.mock.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input.Name)).toEqual([
      "nightly",
    ]);
    expect(group.mock.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: "often", GroupName: GROUP },
    ]);
    expect(group.schedules.get("nightly")?.ScheduleExpression).toBe("cron(30 4 * * ? *)");
    expect([...group.schedules.keys()].sort()).toEqual(["fresh", "hourly", "nightly"]);
    expect(group.calls(UpdateScheduleCommand)).toBe(1);
  });

  it("reads every page of the group and bounds the calls in flight", async () => {
    for (let i = 0; i < 250; i++) {
      group.schedules.set(`stale-${i}`, {
        Name: `stale-${i}`,
        GroupName: GROUP,
      } as CreateScheduleCommandInput);
    }
    const specs: Record<string, string> = {};
    for (let i = 0; i < 120; i++) specs[`job-${i}`] = `schedule:\n  expression: rate(${i + 2} minutes)`;
    const result = await group.reconcile(manifestOf(specs), { concurrency: 4 });
    expect(group.calls(ListSchedulesCommand)).toBe(3);
    expect(result.deleted).toHaveLength(250);
    expect(result.created).toHaveLength(120);
    expect(group.schedules.size).toBe(120);
    expect(group.maxInFlight).toBeLessThanOrEqual(4);
    expect(group.maxInFlight).toBeGreaterThan(1);
  });

  it("keeps a schedule paused at runtime paused, and re-enables one its spec had disabled", async () => {
    const specs = { a: THREE.hourly, b: 'schedule:\n  expression: "@hourly"\n  enabled: false' };
    await group.reconcile(manifestOf(specs));
    expect(group.schedules.get("b")?.Description?.endsWith(SPEC_DISABLED_MARK)).toBe(true);
    // pauseAfterFailures: the status handler disables `a` (GetSchedule + UpdateSchedule, description kept).
    const a = group.schedules.get("a");
    group.schedules.set("a", { ...(a as CreateScheduleCommandInput), State: "DISABLED" });

    const result = await group.reconcile(manifestOf({ a: THREE.hourly, b: THREE.hourly }));
    expect(result.keptPaused).toEqual(["a"]);
    expect(group.schedules.get("a")?.State).toBe("DISABLED");
    expect(group.schedules.get("b")?.State).toBe("ENABLED");
    expect(group.schedules.get("b")?.Description?.endsWith(SPEC_DISABLED_MARK)).toBe(false);
  });

  it("puts back what was changed by hand, a schedule its spec disables included", async () => {
    await group.reconcile(manifestOf(THREE));
    const often = group.schedules.get("often") as CreateScheduleCommandInput;
    const nightly = group.schedules.get("nightly") as CreateScheduleCommandInput;
    group.schedules.set("often", { ...often, State: "ENABLED" });
    group.schedules.set("nightly", { ...nightly, ScheduleExpressionTimezone: "UTC" });
    const result = await group.reconcile(manifestOf(THREE));
    expect(result.updated).toEqual(["nightly", "often"]);
    expect(group.schedules.get("often")).toEqual(often);
    expect(group.schedules.get("nightly")).toEqual(nightly);
  });

  it("leaves out a start date that has passed, which Scheduler refuses, and stays idempotent once it passes", async () => {
    const specs = {
      past: 'schedule:\n  expression: "@daily"\n  startDate: 2020-01-01T00:00:00Z',
      future: 'schedule:\n  expression: "@daily"\n  startDate: 2031-01-01T00:00:00Z',
    };
    const at = (iso: string) => () => new Date(iso);
    const manifest = manifestOf(specs);
    await reconcileSchedules({
      client: group.client,
      manifest,
      target: TARGET,
      sleep: noSleep,
      now: at("2030-06-01T00:00:00Z"),
    });
    expect(group.schedules.get("past")?.StartDate).toBeUndefined();
    expect(group.schedules.get("future")?.StartDate).toEqual(new Date("2031-01-01T00:00:00Z"));
    group.mock.resetHistory();
    const later = await reconcileSchedules({
      client: group.client,
      manifest,
      target: TARGET,
      sleep: noSleep,
      now: at("2031-02-01T00:00:00Z"),
    });
    expect(later.unchanged).toEqual(["future", "past"]);
    expect(group.calls(UpdateScheduleCommand)).toBe(0);
  });

  it("retries throttled calls with backoff and gives up on errors that are not transient", async () => {
    const real = group.mock.commandCalls.bind(group.mock);
    let throttled = 0;
    group.mock.on(CreateScheduleCommand).callsFake((input) => {
      if (throttled++ < 3)
        throw new ThrottlingException({ message: "Rate exceeded", Message: "Rate exceeded", $metadata: {} });
      group.schedules.set(input.Name, input);
      return {};
    });
    const sleep = vi.fn(async () => {});
    const manifest = manifestOf({ a: THREE.hourly });
    await reconcileSchedules({ client: group.client, manifest, target: TARGET, sleep });
    expect(real(CreateScheduleCommand)).toHaveLength(4);
    expect(sleep).toHaveBeenCalledTimes(3);
    expect(group.schedules.has("a")).toBe(true);

    group.mock
      .on(UpdateScheduleCommand)
      .rejects(new ValidationException({ message: "bad", Message: "bad", $metadata: {} }));
    const changed = manifestOf({ a: 'schedule:\n  expression: "@daily"' });
    await expect(
      reconcileSchedules({ client: group.client, manifest: changed, target: TARGET, sleep }),
    ).rejects.toThrow("bad");
    expect(real(UpdateScheduleCommand)).toHaveLength(1);
  });

  it("converges when a schedule appears or disappears between the listing and the write", async () => {
    // Listed as absent, but created meanwhile by a concurrent deploy: Create conflicts, the reconciler updates it.
    group.mock.on(ListSchedulesCommand).resolves({ Schedules: [] });
    group.schedules.set("a", { Name: "a", GroupName: GROUP, ScheduleExpression: "rate(9 minutes)" } as never);
    const result = await group.reconcile(manifestOf({ a: THREE.hourly }));
    expect(result.updated).toEqual(["a"]);
    expect(group.schedules.get("a")?.ScheduleExpression).toBe("cron(0 * * * ? *)");
  });
});
