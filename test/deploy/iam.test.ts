/** The per-function IAM derived from the jobs: what it grants, and how it fits the IAM size quotas. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders in expected ARNs
import { describe, expect, it } from "vitest";
import { taskDefinitionRef } from "../../deploy/arns.ts";
import { parseDeployConfig } from "../../deploy/config.ts";
import {
  buildIam,
  jobStatements,
  taskDefinitionResources,
  webhookSecretStatements,
} from "../../deploy/iam.ts";
import { PolicyTooLargeError, packStatements, policySize, type Statement } from "../../deploy/policy.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import { NAMES } from "./iam-names.ts";

function job(name: string, task: string, extra = ""): Job {
  const { jobs, issues } = parseJobs([
    { file: `jobs/${name}.yml`, text: `${extra}\ntask:\n  launchType: EC2\n${task}` },
  ]);
  expect(issues).toEqual([]);
  return jobs[0] as Job;
}

const SCHEDULED = 'schedule:\n  expression: "@daily"';
const config = (raw: Record<string, unknown> = {}) => parseDeployConfig(raw);
const actions = (statements: Statement[], action: string) =>
  statements.filter((s) => s.Action.includes(action));

describe("task definition grants", () => {
  it("keeps exact revisions, covers a bare family with family:*, and dedupes", () => {
    const refs = [
      "report:7",
      "report:7",
      "crunch",
      "crunch:3",
      "arn:aws:ecs:eu-west-1:111122223333:task-definition/x:2",
    ].map(taskDefinitionRef);
    // Named ones leave partition, region and account to the statement's conditions; full ARNs stay as given.
    expect(taskDefinitionResources(refs, { anyRevision: false, familyPrefixes: [] })).toEqual([
      "arn:*:ecs:*:*:task-definition/crunch:*",
      "arn:*:ecs:*:*:task-definition/report:7",
      "arn:aws:ecs:eu-west-1:111122223333:task-definition/x:2",
    ]);
    expect(taskDefinitionResources(refs, { anyRevision: true, familyPrefixes: ["rep"] })).toEqual([
      "arn:*:ecs:*:*:task-definition/crunch:*",
      "arn:*:ecs:*:*:task-definition/rep*",
      "arn:aws:ecs:eu-west-1:111122223333:task-definition/x:*",
    ]);
  });

  it("pairs each task definition with its own cluster only, never the cross product", () => {
    const jobs = [
      job("a", "  cluster: alpha\n  taskDefinition: one:1", SCHEDULED),
      job("b", "  cluster: beta\n  taskDefinition: two:1", SCHEDULED),
    ];
    const runTask = actions(
      jobStatements("schedule", jobs, config(), { anyRevision: false, familyPrefixes: [] }),
      "ecs:RunTask",
    );
    expect(runTask.map((s) => [s.Resource, s.Condition?.ArnEquals?.["ecs:cluster"]])).toEqual([
      [
        ["arn:*:ecs:*:*:task-definition/one:1"],
        "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/alpha",
      ],
      [
        ["arn:*:ecs:*:*:task-definition/two:1"],
        "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/beta",
      ],
    ]);
    // The region the task definition ARN leaves open is the stack's.
    for (const s of runTask)
      expect(s.Condition?.StringEquals).toEqual({ "aws:RequestedRegion": "${AWS::Region}" });
  });

  it("gives each function only the jobs it starts", () => {
    const jobs = [
      job("scheduled", "  taskDefinition: sched:1", SCHEDULED),
      job("api", "  taskDefinition: api:1", "http: true"),
      job("warm", "  taskDefinition: warm:1", "onInstanceLaunch: true"),
    ];
    const granted = (key: Parameters<typeof jobStatements>[0], action: string) =>
      actions(jobStatements(key, jobs, config(), { anyRevision: false, familyPrefixes: [] }), action)
        .flatMap((s) => s.Resource)
        .map((r) => r.split("/").pop());
    expect(granted("schedule", "ecs:RunTask")).toEqual(["sched:1"]);
    expect(granted("http", "ecs:RunTask")).toEqual(["api:1"]);
    expect(granted("instanceLaunch", "ecs:RunTask")).toEqual([]);
    expect(granted("instanceLaunch", "ecs:StartTask")).toEqual(["warm:1"]);
    expect(granted("status", "ecs:RunTask")).toEqual(["api:1", "sched:1"]);
    expect(granted("status", "ecs:StartTask")).toEqual(["warm:1"]);
    expect(granted("schedule", "ecs:StartTask")).toEqual([]);
  });
});

describe("operating runs (SPEC section 6)", () => {
  const jobs = [
    job("scheduled", "  cluster: batch\n  taskDefinition: sched:1", SCHEDULED),
    job("api", "  cluster: web\n  taskDefinition: api:1", "http: true"),
    job("warm", "  cluster: fleet\n  taskDefinition: warm:1", "onInstanceLaunch: true"),
  ];
  const stopClusters = (key: Parameters<typeof jobStatements>[0]) =>
    actions(jobStatements(key, jobs, config(), { anyRevision: false, familyPrefixes: [] }), "ecs:StopTask")
      .flatMap((s) => s.Resource)
      .map((r) => r.split("/").at(-2));

  it("lets the http function stop a run of any job (POST /runs/{runId}/stop), in those clusters only", () => {
    expect(stopClusters("http")).toEqual(["batch", "fleet", "web"]);
    expect(stopClusters("schedule")).toEqual(["batch"]);
    expect(stopClusters("instanceLaunch")).toEqual([]);
  });

  it("lets the sweeper stop a run of any job: it sends again a StopTask that failed, however the run started", () => {
    expect(stopClusters("sweeper")).toEqual(["batch", "fleet", "web"]);
  });

  it("lets the http function list the group's schedules (job state in GET /jobs), read-only", () => {
    const http = buildIam(jobs, NAMES, config()).inlinePolicies.http.Statement;
    expect(actions(http, "scheduler:ListSchedules")).toHaveLength(1);
    const schedule = buildIam(jobs, NAMES, config()).inlinePolicies.schedule.Statement;
    expect(actions(schedule, "scheduler:ListSchedules")).toEqual([]);
  });
});

describe("iam:PassRole", () => {
  const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;

  it("is absent when no job names a role and none is configured", () => {
    const jobs = [job("a", "  taskDefinition: one:1", SCHEDULED)];
    for (const key of ["schedule", "status"] as const) {
      expect(
        actions(
          jobStatements(key, jobs, config(), { anyRevision: false, familyPrefixes: [] }),
          "iam:PassRole",
        ),
      ).toEqual([]);
    }
  });

  it("covers the overrides' roles and the configured ones, passed to ECS tasks only", () => {
    const jobs = [
      job(
        "a",
        `  taskDefinition: one:1\n  overrides:\n    taskRoleArn: ${role("task")}\n    executionRoleArn: ${role("exec")}`,
        SCHEDULED,
      ),
    ];
    const [pass] = actions(
      jobStatements("schedule", jobs, config({ passRoles: ["inside-td", role("task")] }), {
        anyRevision: false,
        familyPrefixes: [],
      }),
      "iam:PassRole",
    );
    expect(pass?.Resource).toEqual([
      "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/inside-td",
      role("exec"),
      role("task"),
    ]);
    expect(pass?.Condition).toEqual({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
  });
});

describe("packStatements", () => {
  const statement = (n: number): Statement => ({
    Sid: "RunTask1",
    Effect: "Allow",
    Action: ["ecs:RunTask"],
    Resource: Array.from(
      { length: n },
      (_, i) => `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:task-definition/family-${i}:1`,
    ),
    Condition: {
      ArnEquals: { "ecs:cluster": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/c" },
    },
  });

  it("splits a long resource list over documents within the size, losing and repeating nothing", () => {
    const docs = packStatements([statement(300)], 6000);
    expect(docs.length).toBeGreaterThan(2);
    for (const doc of docs) {
      expect(policySize(doc)).toBeLessThanOrEqual(6000);
      const sids = doc.Statement.map((s) => s.Sid);
      expect(new Set(sids).size).toBe(sids.length);
      for (const s of doc.Statement) expect(s.Condition).toEqual(statement(1).Condition);
    }
    const resources = docs.flatMap((d) => d.Statement.flatMap((s) => s.Resource));
    expect(resources).toEqual(statement(300).Resource);
    // Nearly full: no document but the last could have taken the next resource.
    for (const doc of docs.slice(0, -1)) expect(policySize(doc)).toBeGreaterThan(6000 - 120);
  });

  it("refuses a statement that cannot fit even alone", () => {
    const huge: Statement = {
      ...statement(1),
      Resource: [`arn:aws:ecs:eu-west-1:111122223333:task-definition/${"x".repeat(7000)}:1`],
    };
    expect(() => packStatements([huge], 6000)).toThrow(PolicyTooLargeError);
  });
});

describe("buildIam at scale", () => {
  /** n scheduled jobs on 10 clusters; `families` task definition families, up to 4 revisions each. */
  function many(n: number, families: number, prefix = "app", extra: string[] = []): Job[] {
    const files = Array.from({ length: n }, (_, i) => ({
      file: `jobs/job-${i}.yml`,
      text: `${SCHEDULED}\ntask:\n  launchType: EC2\n  cluster: cluster-${i % 10}\n  taskDefinition: ${prefix}-${i % families}:${(Math.floor(i / families) % 4) + 1}\n`,
    }));
    files.push(...extra.map((text, i) => ({ file: `jobs/extra-${i}.yml`, text })));
    const { jobs, issues } = parseJobs(files);
    expect(issues).toEqual([]);
    return jobs;
  }

  it("keeps exact revisions in the function roles while they fit, with no launcher role", () => {
    const iam = buildIam(many(200, 50), NAMES, config());
    expect(iam.launchers).toEqual([]);
    expect(iam.launcherRoles).toEqual({});
    const resources = iam.managedPolicies.schedule.flatMap((d) => d.Statement.flatMap((s) => s.Resource));
    expect(resources.some((r) => r.endsWith(":*"))).toBe(false);
    expect(Object.keys(iam.resources).some((id) => id.startsWith("EcsJobsLauncher"))).toBe(false);
  });

  it("moves the launch grants to launcher roles, still exact revisions, when they exceed the function roles", () => {
    // 3,000 exact revisions (1,000 families x 3): more than one role holds.
    const jobs = many(3000, 1000);
    const iam = buildIam(jobs, NAMES, config());
    expect(iam.launchers.length).toBeGreaterThan(1);
    const launched = iam.launchers.flatMap((l) => l.managed.concat(l.inline ?? []));
    const resources = launched.flatMap((d) => d.Statement.flatMap((s) => s.Resource));
    expect(resources.filter((r) => r.includes("task-definition/")).every((r) => /:[1-4]$/.test(r))).toBe(
      true,
    );
    // Every job's RunTask is in exactly one launcher, and the catalogue map says which.
    const placed = iam.launchers.flatMap((l) => l.jobs.map((j) => j.name));
    expect(placed.sort()).toEqual(jobs.map((j) => j.name).sort());
    for (const l of iam.launchers) {
      for (const j of l.jobs) expect(iam.launcherRoles[j.name]?.RunTask).toBe(l.roleName);
    }
    // The functions keep no launch grant of their own.
    for (const docs of Object.values(iam.managedPolicies)) {
      const own = docs.flatMap((d) => d.Statement.flatMap((s) => s.Action));
      expect(own).not.toContain("ecs:RunTask");
      expect(own).not.toContain("iam:PassRole");
    }
  });

  it("groups by who launches: an HTTP-only job's launcher is not assumable by the schedule function", () => {
    const httpOnly = Array.from(
      { length: 1200 },
      (_, i) => `http: true\ntask:\n  launchType: EC2\n  cluster: web\n  taskDefinition: api-${i}:1\n`,
    );
    const iam = buildIam(many(1200, 1200, "app", httpOnly), NAMES, config());
    const forHttp = iam.launchers.filter((l) => l.jobs.some((j) => j.spec.http));
    const forSchedule = iam.launchers.filter((l) => l.jobs.some((j) => j.spec.schedule));
    expect(forHttp.length).toBeGreaterThan(0);
    expect(forSchedule.length).toBeGreaterThan(0);
    for (const l of forHttp) expect(l.functions).toEqual(["http", "status", "sweeper"]);
    for (const l of forSchedule) expect(l.functions).toEqual(["schedule", "status", "sweeper"]);
    const assumable = (key: "schedule" | "http") =>
      [...iam.managedPolicies[key], ...(iam.inlineGrants[key] ? [iam.inlineGrants[key]] : [])]
        .flatMap((d) => d.Statement)
        .filter((s) => s.Action.includes("sts:AssumeRole"))
        .flatMap((s) => s.Resource);
    expect(assumable("schedule").sort()).toEqual(
      forSchedule.map((l) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${l.roleName}`).sort(),
    );
    expect(assumable("http").sort()).toEqual(
      forHttp.map((l) => `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${l.roleName}`).sort(),
    );
  });

  it("family prefixes still make the function roles hold the grants, with no launcher", () => {
    const jobs = many(2500, 2500, "batch");
    const iam = buildIam(jobs, NAMES, config({ taskDefinitionFamilyPrefixes: ["batch-"] }));
    expect(iam.launchers).toEqual([]);
    const runTask = iam.managedPolicies.schedule
      .flatMap((d) => d.Statement)
      .filter((s) => s.Action.includes("ecs:RunTask"));
    expect(new Set(runTask.flatMap((s) => s.Resource))).toEqual(
      new Set(["arn:*:ecs:*:*:task-definition/batch-*"]),
    );
    expect(runTask).toHaveLength(10);
  });

  it("shares one set of managed policies between roles with the same grants", () => {
    const httpOnly = "http: true\ntask:\n  launchType: EC2\n  taskDefinition: api:1\n";
    const iam = buildIam(many(20, 5, "app", [httpOnly]), NAMES, config());
    const policies = Object.values(iam.resources).filter((r) => r.Type === "AWS::IAM::ManagedPolicy");
    const shared = policies.filter((p) => (p.Properties.Roles as unknown[]).length > 1);
    expect(shared.length).toBeGreaterThan(0);
    for (const p of shared) {
      expect(p.Properties.Roles).toEqual([{ Ref: "EcsJobsStatusRole" }, { Ref: "EcsJobsSweeperRole" }]);
    }
  });
});

describe("custom.ecsJobs", () => {
  it("names the field at fault", () => {
    expect(() => parseDeployConfig({ maxManagedPoliciesPerRole: 30 })).toThrow(
      /custom\.ecsJobs\.maxManagedPoliciesPerRole/,
    );
    expect(() => parseDeployConfig({ passRole: [] })).toThrow(/custom\.ecsJobs/);
  });
});

describe("webhook signing secrets", () => {
  const hook = (secret: string) =>
    `alerts:\n  webhook:\n    url: https://hooks.example.com/x\n    secretParameter: "${secret}"\n`;
  const td = "  taskDefinition: report:7";

  it("grants GetParameter / GetSecretValue on exactly the secrets the jobs name, and nothing without one", () => {
    const jobs = [
      job("a", td, hook("/ecs-jobs/webhook")),
      job("b", td, hook("ecs-jobs/other")),
      job("c", td, hook("arn:aws:secretsmanager:eu-west-1:111122223333:secret:ops/hook")),
      job("d", td, hook("arn:aws:secretsmanager:eu-west-1:111122223333:secret:ops/full-AbCdEf")),
      job("e", td, hook("/ecs-jobs/webhook")),
      job("f", td),
    ];
    expect(webhookSecretStatements(jobs)).toEqual([
      {
        Sid: "WebhookSecretParameters",
        Effect: "Allow",
        Action: ["ssm:GetParameter"],
        Resource: [
          "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ecs-jobs/other",
          "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/ecs-jobs/webhook",
        ],
      },
      {
        Sid: "WebhookSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [
          "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ops/full-AbCdEf",
          "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ops/hook-??????",
        ],
      },
    ]);
    expect(webhookSecretStatements([job("f", td)])).toEqual([]);
    for (const key of ["status", "sweeper", "schedule"] as const)
      expect(
        actions(
          jobStatements(key, [jobs[0] as Job], config(), { anyRevision: false, familyPrefixes: [] }),
          "ssm:GetParameter",
        ),
      ).toHaveLength(1);
  });
});
