/**
 * The real `serverless package` (osls, offline) on the example jobs, on 1,000 generated jobs and on an
 * invalid job, and what it produced: the CloudFormation template, the schedule manifest and the zips.
 */
import { join } from "node:path";
import { build } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_SOURCE_MAPPING_SQS_ACTIONS } from "../../deploy/iam.ts";
import { checkTemplate } from "../../deploy/limits.ts";
import { resolveTarget, scheduleInput, scheduleRequest } from "../../deploy/schedules.ts";
import { runTableDefinition } from "../../deploy/table.ts";
import { realisticFamily } from "../../gen/family-names.ts";
import { generateJobFiles, writeJobsFolder } from "../../gen/job-files.ts";
import { type Packaged, packageOrThrow, ROOT, runPackage } from "../../gen/package-run.ts";
import { loadValidJobs, serializeCatalog } from "../../src/catalog/build.ts";
import { loadJobsDir } from "../../src/catalog/read-dir.ts";
import { formatSpecIssue } from "../../src/errors.ts";
import type { Job } from "../../src/jobspec/schema.ts";
import { parseScheduleExpression } from "../../src/schedule/index.ts";
import { loadModel, violations } from "./botocore.ts";
import { importClosure } from "./bundle-imports.ts";
import { expectLoads } from "./bundle-loads.ts";
import { brokenTemplate, cfnLint, unacceptedFindings } from "./cfn-lint.ts";
import { cfnSpecProblems } from "./cfn-spec.ts";
import { distinctFamilies } from "./distinct-families.ts";
import { launchScope } from "./grant-scope.ts";
import { MUST_LAUNCH } from "./must-launch.ts";
import { lambdaSdkActions } from "./sdk-calls.ts";
import { examplePackage } from "./shared-package.ts";
import {
  ACCOUNT,
  allows,
  clusterArnOf,
  effectiveStatements,
  type FlatStatement,
  familyOf,
  REGION,
  resolveCfn,
  roleArnOf,
  roleStatements,
  taskDefinitionArnOf,
  wildcardGrants,
} from "./template-iam.ts";
import { readZip } from "./zip.ts";

// Hang guards: a package takes ~7 s (1,000 jobs ~15 s) alone, several times that on a busy machine.
const PACKAGE_TIMEOUT = 600_000;
const scheduler = loadModel("scheduler");
const ctx = { partition: "aws", region: REGION, accountId: ACCOUNT };

const FUNCTIONS = {
  schedule: { logicalId: "ScheduleLambdaFunction", module: "handlers/schedule" },
  http: { logicalId: "HttpLambdaFunction", module: "handlers/http" },
  instanceLaunch: { logicalId: "InstanceLaunchLambdaFunction", module: "handlers/instance-launch" },
  status: { logicalId: "StatusLambdaFunction", module: "handlers/status" },
  sweeper: { logicalId: "SweeperLambdaFunction", module: "handlers/sweeper" },
} as const;
type FunctionKey = keyof typeof FUNCTIONS;

const resourcesOfType = (pkg: Packaged, type: string) =>
  Object.entries(pkg.template.Resources).filter(([, r]) => r.Type === type);

/** What a function can do: its role's statements and, when the launches went to launcher roles, theirs. */
function statementsOf(pkg: Packaged, key: FunctionKey): FlatStatement[] {
  const fn = pkg.template.Resources[FUNCTIONS[key].logicalId];
  const role = (fn?.Properties.Role as { "Fn::GetAtt": string[] } | undefined)?.["Fn::GetAtt"][0] ?? "";
  return effectiveStatements(pkg.template as never, role);
}

interface RuleProperties {
  Targets: { Arn: string }[];
  ScheduleExpression?: string;
  EventPattern: {
    source: string[];
    "detail-type": string[];
    detail: { clusterArn: string[]; startedBy?: unknown; status?: unknown };
  };
}
interface TableProperties {
  KeySchema: unknown;
  AttributeDefinitions: unknown;
  GlobalSecondaryIndexes?: { IndexName: string; Projection: unknown }[];
  BillingMode: string;
  PointInTimeRecoverySpecification: unknown;
  TimeToLiveSpecification: unknown;
}
interface FunctionProperties {
  Runtime: string;
  Architectures: string[];
  Role: string;
  Environment: { Variables: Record<string, string> };
}

function expectSchedules(pkg: Packaged, jobs: Job[]) {
  const scheduled = jobs.filter((j) => j.spec.schedule);
  const entries = new Map(pkg.manifest.schedules.map((s) => [s.name, s]));
  expect(entries.size).toBe(pkg.manifest.schedules.length);
  expect([...entries.keys()].sort()).toEqual(scheduled.map((j) => j.name).sort());
  const target = resolveTarget(pkg.manifest, ctx);
  const problems: string[] = [];
  for (const job of scheduled) {
    const s = job.spec.schedule!;
    const entry = entries.get(job.name)!;
    const parsed = parseScheduleExpression(s.expression);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(entry.expression).toBe(parsed.value.aws);
    expect(entry.timezone).toBe(s.timezone);
    const request = scheduleRequest(entry, pkg.manifest.group, target, pkg.manifest.retry);
    expect(request.State).toBe(s.enabled ? "ENABLED" : "DISABLED");
    expect(request.FlexibleTimeWindow).toEqual(
      s.flexibleWindowMinutes
        ? { Mode: "FLEXIBLE", MaximumWindowInMinutes: s.flexibleWindowMinutes }
        : { Mode: "OFF" },
    );
    // Scheduler refuses a start date in the past: one that has passed is left out.
    const start = s.startDate ? Date.parse(s.startDate) : undefined;
    expect(request.StartDate?.getTime()).toBe(start && start > Date.now() ? start : undefined);
    expect(request.EndDate?.getTime()).toBe(s.endDate ? Date.parse(s.endDate) : undefined);
    expect(JSON.parse(request.Target?.Input ?? "")).toEqual(JSON.parse(scheduleInput(job.name)));
    expect(request.Target?.DeadLetterConfig?.Arn).toBe(target.deadLetterArn);
    expect(request.Target?.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
    problems.push(
      ...violations(scheduler, "CreateSchedule", request),
      ...violations(scheduler, "UpdateSchedule", request),
    );
  }
  expect(problems).toEqual([]);
}

function expectLeastPrivilege(pkg: Packaged, jobs: Job[]) {
  // Generic: every statement of every role in the template, whoever wrote it.
  const all = [...roleStatements(pkg.template as never).values()].flat();
  expect(all.length).toBeGreaterThan(0);
  expect(wildcardGrants(all)).toEqual([]);
  for (const s of all.filter((x) => x.Action.some((a) => a === "ecs:RunTask" || a === "ecs:StartTask"))) {
    expect(
      s.Condition.ArnEquals?.["ecs:cluster"]?.length,
      `${s.source}: RunTask/StartTask without ecs:cluster`,
    ).toBeGreaterThan(0);
  }
  for (const s of all.filter((x) => x.Action.includes("iam:PassRole"))) {
    expect(s.Condition.StringEquals?.["iam:PassedToService"]?.length).toBe(1);
  }

  // Exact revisions may be widened to every revision of the same family when they do not fit the IAM quotas;
  // never to another family, nor to a cluster where no job of the function runs that family.
  for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
    const statements = statementsOf(pkg, key);
    const missing: string[] = [];
    for (const job of jobs) {
      const td = taskDefinitionArnOf(job);
      const cluster = { "ecs:cluster": clusterArnOf(job.spec.task.cluster), "aws:RequestedRegion": REGION };
      const run = MUST_LAUNCH[key].run(job);
      const start = MUST_LAUNCH[key].start(job);
      if (run && !allows(statements, "ecs:RunTask", td, cluster)) missing.push(`RunTask ${job.name}`);
      if (start && !allows(statements, "ecs:StartTask", td, cluster)) missing.push(`StartTask ${job.name}`);
      if (!run && !start) continue;
      const task = taskArnIn(cluster["ecs:cluster"]);
      for (const [action, launched] of [
        ["RunTask", run],
        ["StartTask", start],
      ] as const) {
        if (launched && !allows(statements, "ecs:TagResource", task, { "ecs:CreateAction": action })) {
          missing.push(`TagResource at ${action} for ${job.name}`);
        }
      }
      // Replace policy and timeouts stop tasks; the instance-launch function never does.
      if (allows(statements, "ecs:StopTask", task, cluster) !== (key !== "instanceLaunch")) {
        missing.push(`StopTask ${key !== "instanceLaunch" ? "missing" : "granted"} for ${job.name}`);
      }
      const roles = [job.spec.task.overrides?.taskRoleArn, job.spec.task.overrides?.executionRoleArn];
      for (const role of roles.filter((r): r is string => Boolean(r))) {
        const passed = allows(statements, "iam:PassRole", roleArnOf(role), {
          "iam:PassedToService": "ecs-tasks.amazonaws.com",
        });
        if (!passed) missing.push(`PassRole ${role} for ${job.name}`);
      }
    }
    expect(missing, `${key} cannot launch`).toEqual([]);

    // And the other way round: every (family, cluster) a statement can match is one a job of this function
    // uses — computed from the statements by grant-scope.ts, which refuses what it cannot prove finite.
    const excess: string[] = [];
    for (const action of ["ecs:RunTask", "ecs:StartTask"] as const) {
      const used = new Set(
        jobs
          .filter((j) => (action === "ecs:RunTask" ? MUST_LAUNCH[key].run(j) : MUST_LAUNCH[key].start(j)))
          .map((j) => `${familyOf(taskDefinitionArnOf(j))} ${clusterArnOf(j.spec.task.cluster)}`),
      );
      const scope = launchScope(statements, action);
      excess.push(
        ...scope.problems,
        ...[...scope.pairs].filter((p) => !used.has(p)).map((p) => `${action} ${p}`),
      );
    }
    expect(excess, `${key} may launch more than its jobs`).toEqual([]);
  }
}

/** A task of the cluster, as ECS names it: `…:task/CLUSTER/ID`. */
const taskArnIn = (clusterArn: string): string =>
  `${clusterArn.replace(":cluster/", ":task/")}/0123456789abcdef`;

function expectLimits(pkg: Packaged) {
  const report = checkTemplate(pkg.template);
  expect(report.problems).toEqual([]);
  expect(report.resources).toBeLessThan(500);
  expect(report.templateBytes).toBeLessThan(1_000_000);
  return report;
}

describe("serverless package on the example jobs", () => {
  let pkg: Packaged;
  let jobs: Job[];
  beforeAll(async () => {
    jobs = loadValidJobs(join(ROOT, "jobs"), ROOT);
    pkg = await examplePackage();
    console.info(`serverless package, example jobs: ${pkg.ms} ms (shared by the package project's files)`);
  }, PACKAGE_TIMEOUT);

  it("matches the CloudFormation resource specification: types, property names and shapes, required ones", () => {
    expect(Object.keys(pkg.template.Resources).length).toBeGreaterThan(20);
    expect(cfnSpecProblems(pkg.template)).toEqual([]);
  });

  it("passes cfn-lint: no error, no warning but the accepted ones from osls", async () => {
    const template = join(pkg.dir, "cloudformation-template-update-stack.json");
    const broken = brokenTemplate(pkg.dir);
    const findings = unacceptedFindings(await cfnLint([template, broken]));
    expect(findings.filter((f) => f.file === template)).toEqual([]);
    // The linter does report errors: the known-broken template beside it has one.
    expect(findings.some((f) => f.file === broken && f.level === "Error")).toBe(true);
  });

  it("has one schedule per scheduled job, with its AWS expression, zone, state, window, retry policy and DLQ", () => {
    expect(pkg.manifest.schedules.length).toBeGreaterThan(0);
    expectSchedules(pkg, jobs);
    // The shorthands are translated: @hourly and @every 5m are no Scheduler syntax.
    const byName = new Map(pkg.manifest.schedules.map((s) => [s.name, s]));
    expect(byName.get("spot-crunch")?.expression).toBe("cron(0 * * * ? *)");
    expect(byName.get("legacy-import")?.expression).toBe("rate(5 minutes)");
    expect(byName.get("nightly-report")?.timezone).toBe("Europe/Paris");
  });

  it("creates the schedule group, the DLQ and a Scheduler role that may only invoke the schedule function", () => {
    const groups = resourcesOfType(pkg, "AWS::Scheduler::ScheduleGroup").map(([, g]) => g.Properties.Name);
    expect(groups).toEqual([pkg.manifest.group]);
    const target = resolveTarget(pkg.manifest, ctx);
    const queues = resourcesOfType(pkg, "AWS::SQS::Queue").map(([, q]) => q.Properties.QueueName);
    expect(queues).toContain(target.deadLetterArn.split(":").pop());
    const schedule = pkg.template.Resources[FUNCTIONS.schedule.logicalId]!.Properties;
    expect(target.arn.endsWith(`:function:${schedule.FunctionName}`)).toBe(true);

    const roles = roleStatements(pkg.template as never);
    const [roleId] = resourcesOfType(pkg, "AWS::IAM::Role").find(
      ([, r]) => r.Properties.RoleName && target.roleArn.endsWith(`:role/${r.Properties.RoleName}`),
    )!;
    const statements = roles.get(roleId)!;
    expect(allows(statements, "lambda:InvokeFunction", target.arn)).toBe(true);
    expect(allows(statements, "sqs:SendMessage", target.deadLetterArn)).toBe(true);
    const other = target.arn.replace(/schedule$/, "http");
    expect(allows(statements, "lambda:InvokeFunction", other)).toBe(false);
    const trust = resolveCfn(
      resourcesOfType(pkg, "AWS::IAM::Role").find(([id]) => id === roleId)![1].Properties
        .AssumeRolePolicyDocument,
    );
    expect(JSON.stringify(trust)).toContain("scheduler.amazonaws.com");
    expect(JSON.stringify(trust)).toContain(ACCOUNT);
  });

  it("grants RunTask/StartTask only on the jobs' task definitions in their clusters, and PassRole only on their roles", () => {
    expectLeastPrivilege(pkg, jobs);
    // No job names a role that is not in the example folder's overrides: the report roles are the only ones.
    const passRoles = [...roleStatements(pkg.template as never).values()]
      .flat()
      .filter(
        (s) =>
          s.Action.includes("iam:PassRole") &&
          s.Condition.StringEquals?.["iam:PassedToService"]?.[0] === "ecs-tasks.amazonaws.com",
      )
      .flatMap((s) => s.Resource);
    expect([...new Set(passRoles)].sort()).toEqual([
      "arn:aws:iam::111122223333:role/report-exec",
      "arn:aws:iam::111122223333:role/report-task",
    ]);
  });

  it("grants no AWS action the Lambda code never calls, and every one it calls", () => {
    const called = lambdaSdkActions(ROOT);
    // Not SDK calls of ours: Lambda writes its own logs; tagging and role passing ride on RunTask/StartTask
    // and UpdateSchedule.
    const implied = new Set([
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "ecs:TagResource",
      "iam:PassRole",
      // Lambda's event source mapping reads the task events queue with the status role.
      ...EVENT_SOURCE_MAPPING_SQS_ACTIONS,
    ]);
    const granted = new Set(
      [...roleStatements(pkg.template as never).entries()]
        .filter(([role]) => role.startsWith("EcsJobs") && role !== "EcsJobsSchedulerRole")
        .flatMap(([, statements]) => statements.flatMap((s) => s.Action)),
    );
    expect([...granted].filter((a) => !called.has(a) && !implied.has(a)).sort()).toEqual([]);
    // Called only in deployments with launcher roles (src/launch/launcher-credentials.ts); the example jobs
    // fit the function roles, and the launcher packages below check that it is granted there.
    const onlyWithLaunchers = new Set(["sts:AssumeRole"]);
    expect([...called].filter((a) => !granted.has(a) && !onlyWithLaunchers.has(a)).sort()).toEqual([]);
    for (const a of onlyWithLaunchers) expect(called.has(a), a).toBe(true);
    expect(statementsOf(pkg, "sweeper").flatMap((s) => s.Action)).toContain("scheduler:ListSchedules");
    expect(statementsOf(pkg, "status").flatMap((s) => s.Action)).not.toContain("scheduler:ListSchedules");
  });

  it("puts every route of the HTTP API behind IAM authorization", () => {
    const routes = resourcesOfType(pkg, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      [
        "GET /jobs",
        "GET /jobs/{name}",
        "POST /jobs/{name}/runs",
        "GET /jobs/{name}/runs",
        "GET /runs/{runId}",
        "POST /jobs/{name}/resume",
        // SPEC section 6.
        "POST /jobs/{name}/pause",
        "POST /runs/{runId}/stop",
        "GET /runs/{runId}/logs",
      ].sort(),
    );
    for (const route of routes) expect(route.AuthorizationType, String(route.RouteKey)).toBe("AWS_IAM");
    const integrations = resourcesOfType(pkg, "AWS::ApiGatewayV2::Integration").map(([, i]) => i.Properties);
    expect(integrations.map((i) => i.PayloadFormatVersion)).toEqual(["2.0"]);
  });

  it("sends the ECS events of the jobs' clusters to the status function's queue and the instance-launch function", () => {
    const rules = resourcesOfType(pkg, "AWS::Events::Rule").map(
      ([, r]) => resolveCfn(r.Properties) as RuleProperties,
    );
    const forTarget = (logicalId: string) =>
      rules.filter((r) => r.Targets.some((t) => t.Arn === `{GetAtt:${logicalId}.Arn}`));
    const forFunction = (key: FunctionKey) => forTarget(FUNCTIONS[key].logicalId);
    expect(forFunction("status")).toEqual([]);
    const [task] = forTarget("EcsJobsTaskEventsQueue");
    expect(task?.EventPattern.source).toEqual(["aws.ecs"]);
    expect(task?.EventPattern["detail-type"]).toEqual(["ECS Task State Change"]);
    expect([...(task?.EventPattern.detail.clusterArn ?? [])].sort()).toEqual(
      [...new Set(jobs.map((j) => clusterArnOf(j.spec.task.cluster)))].sort(),
    );
    // Only the tasks this system started (SPEC section 4: recognised by startedBy).
    expect(task?.EventPattern.detail.startedBy).toEqual([{ prefix: "ecs-jobs/" }]);
    const [instance] = forFunction("instanceLaunch");
    expect(instance?.EventPattern["detail-type"]).toEqual(["ECS Container Instance State Change"]);
    expect(instance?.EventPattern.detail.clusterArn).toEqual(
      [
        ...new Set(jobs.filter((j) => j.spec.onInstanceLaunch).map((j) => clusterArnOf(j.spec.task.cluster))),
      ].sort(),
    );
    const [sweeper] = forFunction("sweeper");
    expect(sweeper?.ScheduleExpression).toBe("rate(1 minute)");
    // Each rule may invoke its function.
    const permissions = resourcesOfType(pkg, "AWS::Lambda::Permission").map(
      ([, p]) => resolveCfn(p.Properties) as Record<string, string>,
    );
    for (const key of ["instanceLaunch", "sweeper"] as const) {
      expect(
        permissions.some(
          (p) =>
            p.Principal === "events.amazonaws.com" &&
            p.FunctionName === `{GetAtt:${FUNCTIONS[key].logicalId}.Arn}`,
        ),
      ).toBe(true);
    }
  });

  it("feeds the status function from its queue: batches, partial failures, few at once, a dead-letter queue", () => {
    const resources = pkg.template.Resources;
    const queue = resolveCfn(resources.EcsJobsTaskEventsQueue?.Properties) as Record<string, unknown>;
    expect(queue.RedrivePolicy).toEqual({
      deadLetterTargetArn: "{GetAtt:EcsJobsTaskEventsDeadLetterQueue.Arn}",
      maxReceiveCount: 5,
    });
    // A message stays hidden for 6 times the function's timeout (Lambda's advice for SQS sources).
    const status = resources[FUNCTIONS.status.logicalId]?.Properties as { Timeout: number };
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * status.Timeout);
    const mappings = resourcesOfType(pkg, "AWS::Lambda::EventSourceMapping").map(
      ([, m]) => resolveCfn(m.Properties) as Record<string, unknown>,
    );
    expect(mappings).toEqual([
      expect.objectContaining({
        FunctionName: `{Ref:${FUNCTIONS.status.logicalId}}`,
        EventSourceArn: "{GetAtt:EcsJobsTaskEventsQueue.Arn}",
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: 5 },
      }),
    ]);
    // Only the task state rules may send to it.
    const policies = resourcesOfType(pkg, "AWS::SQS::QueuePolicy").map(
      ([, p]) => resolveCfn(p.Properties) as { Queues: string[]; PolicyDocument: { Statement: unknown[] } },
    );
    const taskRules = resourcesOfType(pkg, "AWS::Events::Rule")
      .filter(([id]) => id.startsWith("EcsJobsTaskStateRule"))
      .map(([id]) => `{GetAtt:${id}.Arn}`);
    expect(taskRules.length).toBeGreaterThan(0);
    expect(policies).toEqual([
      {
        Queues: ["{Ref:EcsJobsTaskEventsQueue}"],
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            expect.objectContaining({
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: "{GetAtt:EcsJobsTaskEventsQueue.Arn}",
              Condition: { ArnEquals: { "aws:SourceArn": taskRules } },
            }),
          ],
        },
      },
    ]);
    // The status role reads that queue, and no other role does.
    const reads = (key: FunctionKey) =>
      statementsOf(pkg, key).filter((s) => s.Action.includes("sqs:ReceiveMessage"));
    expect(reads("status").flatMap((s) => s.Resource)).toEqual([
      `arn:aws:sqs:${REGION}:${ACCOUNT}:${String(queue.QueueName)}`,
    ]);
    for (const key of ["schedule", "http", "instanceLaunch", "sweeper"] as const)
      expect(reads(key)).toEqual([]);
  });

  it("declares the run table from the ledger's definition: on demand, point-in-time recovery, TTL", async () => {
    const definition = runTableDefinition();
    const tables = resourcesOfType(pkg, "AWS::DynamoDB::Table").map(
      ([, t]) => t.Properties as unknown as TableProperties,
    );
    expect(tables).toHaveLength(1);
    const table = { Properties: tables[0] as TableProperties };
    expect(table.Properties.KeySchema).toEqual(definition.KeySchema);
    expect(table.Properties.AttributeDefinitions).toEqual(definition.AttributeDefinitions);
    // Whole indexes, projections included: keys only, so that a run's rewrites are not copied into them.
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(definition.GlobalSecondaryIndexes);
    expect(table.Properties.GlobalSecondaryIndexes?.map((i) => i.Projection)).toEqual(
      definition.GlobalSecondaryIndexes?.map(() => ({ ProjectionType: "KEYS_ONLY" })),
    );
    expect(table.Properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: definition.ttlAttribute,
      Enabled: true,
    });
  });

  it("runs every function on Node 22/arm64 with its own role and the ecs-jobs environment", () => {
    const roles = new Set<string>();
    for (const { logicalId } of Object.values(FUNCTIONS)) {
      const fn = resolveCfn(pkg.template.Resources[logicalId]?.Properties) as FunctionProperties;
      expect(fn.Runtime).toBe("nodejs22.x");
      expect(fn.Architectures).toEqual(["arm64"]);
      roles.add(fn.Role);
      expect(fn.Environment.Variables).toMatchObject({
        ECS_JOBS_TABLE: "{Ref:EcsJobsRunsTable}",
        ECS_JOBS_EVENT_BUS: "default",
        ECS_JOBS_SCHEDULE_GROUP: "{Ref:EcsJobsScheduleGroup}",
        ECS_JOBS_RETENTION_DAYS: expect.stringMatching(/^\d+$/),
        ECS_JOBS_CATALOG: "./jobs.json",
      });
    }
    expect(roles.size).toBe(Object.keys(FUNCTIONS).length);
    // osls' shared default role is not created when every function has its own.
    expect(pkg.template.Resources.IamRoleLambdaExecution).toBeUndefined();
    expectLimits(pkg);
  });

  it("zips each handler alone with the catalogue, the chunks its bundle imports and exactly the AWS SDK clients it imports, bundled", async () => {
    const catalogue = JSON.parse(serializeCatalog(jobs));
    const entries = Object.values(FUNCTIONS).map(({ module }) => `${module}.mjs`);
    for (const [key, { logicalId, module }] of Object.entries(FUNCTIONS)) {
      const code = pkg.template.Resources[logicalId]!.Properties.Code as { S3Key: string };
      const zip = readZip(join(pkg.dir, code.S3Key.split("/").pop()!));
      const entry = `${module}.mjs`;
      // Every chunk the entry imports, at once or with import(), is in the zip, and nothing else is: no
      // other handler's entry or chunks (serverless-esbuild alone would zip them all into every function).
      const all = importClosure(zip, entry, { dynamic: true });
      expect(all.missing, key).toEqual([]);
      expect([...zip.keys()].sort(), key).toEqual(["jobs.json", ...all.reached].sort());
      expect(
        all.reached.filter((f) => entries.includes(f)),
        key,
      ).toEqual([entry]);
      expect(JSON.parse(zip.get("jobs.json")!.toString("utf8"))).toEqual(catalogue);
      const bundle = all.reached.map((f) => zip.get(f)!.toString("utf8")).join("\n");
      // Static imports left in the bundle (statement-level, so strings in error messages do not count).
      const imported = [
        ...bundle.matchAll(/(?:^|[;}\n])\s*import\s*(?:[^;"'()]*?from\s*)?["']([^"']+)["']/g),
      ].map((m) => m[1]);
      expect(
        imported.filter((m) => !m?.startsWith("node:") && !m?.startsWith("./")),
        `${key} imports packages at run time`,
      ).toEqual([]);
      expect(clientsIn(bundle), key).toEqual(await clientsImportedBy(`${module}.ts`));
      // Loading the handler evaluates only ECS and DynamoDB: the run-end clients are behind import().
      const atLoad = importClosure(zip, entry, { dynamic: false });
      const loaded = atLoad.reached.map((f) => zip.get(f)!.toString("utf8")).join("\n");
      expect(clientsIn(loaded), key).toEqual(["client-dynamodb", "client-ecs"]);
      expect(atLoad.reached.length, key).toBeLessThan(all.reached.length);
      await expectLoads(key, zip, entry, all.reached);
    }
  });
});

const CLIENT_NAMESPACES: Record<string, string> = {
  "client-ecs": "ecs",
  "client-dynamodb": "dynamodb",
  "client-scheduler": "scheduler",
  "client-eventbridge": "eventbridge",
  "client-sns": "sns",
  "client-cloudwatch-logs": "cloudwatchlogs",
};

/** A bundled client carries its Smithy namespace as a string, which minification keeps. */
const clientsIn = (bundle: string): string[] =>
  Object.entries(CLIENT_NAMESPACES)
    .filter(([, ns]) => bundle.includes(`"com.amazonaws.${ns}"`))
    .map(([client]) => client)
    .sort();

/** The clients the handler's own import graph reaches, as esbuild resolves it. */
async function clientsImportedBy(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    mainFields: ["module", "main"],
    logLevel: "silent",
  });
  const inputs = Object.keys(result.metafile.inputs);
  return Object.keys(CLIENT_NAMESPACES)
    .filter((c) => inputs.some((i) => i.includes(`@aws-sdk/${c}/`)))
    .sort();
}

describe("serverless package with 1,000 generated jobs, each its own task definition family", () => {
  let pkg: Packaged;
  let jobs: Job[];
  beforeAll(async () => {
    const dir = writeJobsFolder(distinctFamilies(generateJobFiles(1000)));
    jobs = loadValidJobs(dir);
    expect(jobs).toHaveLength(1000);
    // The grants' worst case: as many families as jobs, over several clusters.
    expect(new Set(jobs.map((j) => familyOf(taskDefinitionArnOf(j)))).size).toBe(1000);
    expect(new Set(jobs.map((j) => clusterArnOf(j.spec.task.cluster))).size).toBeGreaterThan(5);
    pkg = await packageOrThrow({ jobsDir: dir });
    console.info(`serverless package, 1,000 jobs: ${pkg.ms} ms`);
  }, PACKAGE_TIMEOUT);

  it("still matches the CloudFormation resource specification", () => {
    expect(cfnSpecProblems(pkg.template)).toEqual([]);
  });

  it("still passes cfn-lint", async () => {
    const findings = await cfnLint([join(pkg.dir, "cloudformation-template-update-stack.json")]);
    expect(unacceptedFindings(findings)).toEqual([]);
  });

  it("stays within the CloudFormation, IAM and EventBridge quotas", () => {
    const report = expectLimits(pkg);
    expect(report.outputs).toBeLessThanOrEqual(200);
    expect(report.parameters).toBeLessThanOrEqual(200);
    expect(report.mappings).toBeLessThanOrEqual(200);
    expect(report.maxManagedPolicyChars).toBeLessThanOrEqual(6144);
    expect(report.maxRoleInlineChars).toBeLessThanOrEqual(10240);
    expect(report.maxManagedPoliciesPerRole).toBeLessThanOrEqual(10);
    expect(report.maxEventPatternChars).toBeLessThanOrEqual(4096);
    // The job-derived grants really are spread over several policies, not squeezed into one.
    expect(resourcesOfType(pkg, "AWS::IAM::ManagedPolicy").length).toBeGreaterThan(5);
    console.info(`1,000 jobs: ${JSON.stringify({ ...report, problems: undefined })}`);
  });

  it("accounts for every scheduled job in the schedule manifest, each a valid CreateSchedule request", () => {
    expect(pkg.manifest.schedules.length).toBeGreaterThan(500);
    expectSchedules(pkg, jobs);
    // The schedules are not stack resources: the stack size does not grow with them.
    expect(resourcesOfType(pkg, "AWS::Scheduler::Schedule")).toEqual([]);
  });

  it("still grants each function exactly its jobs, with no wildcard on RunTask, StartTask or PassRole", () => {
    expectLeastPrivilege(pkg, jobs);
  });

  it("bundles the 1,000-job catalogue into every function", () => {
    for (const { logicalId } of Object.values(FUNCTIONS)) {
      const code = pkg.template.Resources[logicalId]!.Properties.Code as { S3Key: string };
      const zip = readZip(join(pkg.dir, code.S3Key.split("/").pop()!));
      expect(JSON.parse(zip.get("jobs.json")!.toString("utf8")).jobs).toHaveLength(1000);
    }
  });
});

/**
 * Family names as teams write them (24-40 characters) outgrow what a function role holds: the launch grants
 * go to launcher roles. Both sizes in one describe so that cfn-lint starts once for the two templates.
 */
describe("serverless package past one role: 1,000 and 3,000 jobs with realistic family names", () => {
  const sizes = [1000, 3000] as const;
  const runs = new Map<number, { pkg: Packaged; jobs: Job[] }>();
  beforeAll(async () => {
    for (const count of sizes) {
      const dir = writeJobsFolder(distinctFamilies(generateJobFiles(count), 0, realisticFamily));
      const jobs = loadValidJobs(dir);
      expect(new Set(jobs.map((j) => familyOf(taskDefinitionArnOf(j)))).size).toBe(count);
      const pkg = await packageOrThrow({ jobsDir: dir });
      console.info(`serverless package, ${count} jobs with realistic family names: ${pkg.ms} ms`);
      runs.set(count, { pkg, jobs });
    }
  }, 2 * PACKAGE_TIMEOUT);
  const run = (count: number) => runs.get(count) as { pkg: Packaged; jobs: Job[] };
  const launcherRoles = (pkg: Packaged) =>
    resourcesOfType(pkg, "AWS::IAM::Role").filter(([id]) => id.startsWith("EcsJobsLauncher"));

  it("passes cfn-lint and matches the CloudFormation resource specification", async () => {
    for (const count of sizes) expect(cfnSpecProblems(run(count).pkg.template), `${count}`).toEqual([]);
    const findings = await cfnLint(
      sizes.map((count) => join(run(count).pkg.dir, "cloudformation-template-update-stack.json")),
    );
    expect(unacceptedFindings(findings)).toEqual([]);
  }, 480_000);

  it.each(sizes)("%i jobs: within the CloudFormation and IAM quotas, with launcher roles", (count) => {
    const { pkg } = run(count);
    const report = expectLimits(pkg);
    expect(report.maxManagedPolicyChars).toBeLessThanOrEqual(6144);
    expect(report.maxRoleInlineChars).toBeLessThanOrEqual(10240);
    expect(report.maxManagedPoliciesPerRole).toBeLessThanOrEqual(10);
    expect(launcherRoles(pkg).length).toBeGreaterThan(1);
    console.info(
      `${count} jobs, realistic names: ${JSON.stringify({ ...report, problems: undefined, launchers: launcherRoles(pkg).length })}`,
    );
  });

  it.each(sizes)(
    "%i jobs: each function launches exactly its jobs, through launchers that trust it",
    (count) => {
      const { pkg, jobs } = run(count);
      expectLeastPrivilege(pkg, jobs);
      const granted = new Set(
        [...roleStatements(pkg.template as never).values()].flat().flatMap((s) => s.Action),
      );
      expect(granted.has("sts:AssumeRole")).toBe(true);
    },
  );

  it.each(sizes)(
    "%i jobs: the catalogue names each job's launcher role, the functions get its ARN prefix",
    (count) => {
      const { pkg, jobs } = run(count);
      const names = new Set(launcherRoles(pkg).map(([, r]) => r.Properties.RoleName as string));
      for (const { logicalId } of Object.values(FUNCTIONS)) {
        const fn = resolveCfn(pkg.template.Resources[logicalId]?.Properties) as FunctionProperties;
        expect(fn.Environment.Variables.ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX).toBe(
          `arn:aws:iam::${ACCOUNT}:role/`,
        );
        const code = pkg.template.Resources[logicalId]!.Properties.Code as { S3Key: string };
        const zip = readZip(join(pkg.dir, code.S3Key.split("/").pop()!));
        const catalogue = JSON.parse(zip.get("jobs.json")!.toString("utf8")) as {
          launcherRoles: Record<string, { RunTask?: string; StartTask?: string }>;
        };
        for (const job of jobs) {
          const roles = catalogue.launcherRoles[job.name] ?? {};
          expect(Boolean(roles.RunTask), `${job.name} RunTask`).toBe(
            Boolean(job.spec.schedule || job.spec.http),
          );
          expect(Boolean(roles.StartTask), `${job.name} StartTask`).toBe(job.spec.onInstanceLaunch);
          for (const role of Object.values(roles)) expect(names.has(role as string), role).toBe(true);
        }
      }
    },
  );
});

describe("serverless package with an invalid job", () => {
  it(
    "fails, listing every spec error with file, line, column and field",
    async () => {
      const dir = writeJobsFolder({
        "good.yml": "task:\n  taskDefinition: app:1\n  launchType: EC2\n",
        "bad.yml":
          "schedule:\n  expression: cron(0 3 * * *)\ntask:\n  taskDefinition: app:1\n  launchType: FARGATE\n",
      });
      const expected = loadJobsDir(dir).issues;
      expect(expected.length).toBeGreaterThan(0);
      const run = await runPackage({ jobsDir: dir });
      expect(run.code).not.toBe(0);
      for (const issue of expected) {
        // osls prints file names relative to its service folder: compare from the file's base name on.
        const text = formatSpecIssue(issue);
        expect(run.output).toContain(text.slice(text.indexOf("bad.yml")));
      }
    },
    PACKAGE_TIMEOUT,
  );
});
