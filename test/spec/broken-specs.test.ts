/**
 * Broken specs, one kind per test: each must be rejected with its file, line, column and field path, and a
 * message that says what was expected. Positions are 1-based and point at the field's key (or list item).
 */
import { describe, expect, it } from "vitest";
import { formatSpecIssue } from "../../src/errors.ts";
import { parseJobs } from "../../src/jobspec/parse.ts";
import { files } from "../support/spec.ts";

interface Case {
  kind: string;
  yaml: string;
  /** file:line:col path — the exact location expected. */
  at: string;
  message: RegExp;
  defaults?: string;
  name?: string;
}

const net = "  network:\n    subnets: [subnet-0abc]\n";

const cases: Case[] = [
  {
    kind: "missing task",
    yaml: "description: no task\n",
    at: "jobs/report.yml:1:1 task",
    message: /required/,
  },
  {
    kind: "missing taskDefinition",
    yaml: `task:\n  launchType: FARGATE\n${net}`,
    at: "jobs/report.yml:1:1 task.taskDefinition",
    message: /required/,
  },
  {
    kind: "unknown top-level key with a suggestion",
    yaml: `schedul:\n  expression: rate(1 hour)\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:1:1 schedul",
    message: /unknown key "schedul" \(did you mean "schedule"\?\)/,
  },
  {
    kind: "unknown nested key with a suggestion",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGATE\n  network:\n    subnet: [subnet-0abc]\n`,
    at: "jobs/report.yml:5:5 task.network.subnet",
    message: /did you mean "subnets"/,
  },
  {
    kind: "unknown key without a close match",
    yaml: `task:\n  taskDefinition: t\n  zzzzzz: 1\n`,
    at: "jobs/report.yml:3:3 task.zzzzzz",
    message: /^unknown key "zzzzzz"$/,
  },
  {
    kind: "empty subnets",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGATE\n  network:\n    subnets: []\n`,
    at: "jobs/report.yml:5:5 task.network.subnets",
    message: /expected 1\.\.16 items, got 0/,
  },
  {
    kind: "too many subnets",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGATE\n  network:\n    subnets: [${Array.from({ length: 17 }, (_, i) => `s-${i}`).join(", ")}]\n`,
    at: "jobs/report.yml:5:5 task.network.subnets",
    message: /expected 1\.\.16 items, got 17/,
  },
  {
    kind: "too many security groups",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGATE\n  network:\n    subnets: [a]\n    securityGroups: [a, b, c, d, e, f]\n`,
    at: "jobs/report.yml:6:5 task.network.securityGroups",
    message: /expected 0\.\.5 items, got 6/,
  },
  {
    kind: "count zero",
    yaml: `task:\n  taskDefinition: t\n  count: 0\n`,
    at: "jobs/report.yml:3:3 task.count",
    message: /expected 1\.\.10000, got 0/,
  },
  {
    kind: "count above 10000",
    yaml: `task:\n  taskDefinition: t\n  count: 10001\n`,
    at: "jobs/report.yml:3:3 task.count",
    message: /expected 1\.\.10000, got 10001/,
  },
  {
    kind: "count not an integer",
    yaml: `task:\n  taskDefinition: t\n  count: 2.5\n`,
    at: "jobs/report.yml:3:3 task.count",
    message: /expected an integer 1\.\.10000, got 2\.5/,
  },
  {
    kind: "count as a string",
    yaml: `task:\n  taskDefinition: t\n  count: three\n`,
    at: "jobs/report.yml:3:3 task.count",
    message: /expected an integer 1\.\.10000, got "three"/,
  },
  {
    kind: "launchType not in the enum, with a suggestion",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGTE\n${net}`,
    at: "jobs/report.yml:3:3 task.launchType",
    message: /expected one of FARGATE \| EC2 \| EXTERNAL, got "FARGTE" \(did you mean "FARGATE"\?\)/,
  },
  {
    kind: "Fargate without network",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGATE\n`,
    at: "jobs/report.yml:1:1 task.network",
    message: /awsvpc/,
  },
  {
    kind: "Fargate Spot capacity provider without network",
    yaml: `task:\n  taskDefinition: t\n  capacityProviderStrategy:\n    - capacityProvider: FARGATE_SPOT\n      weight: 1\n`,
    at: "jobs/report.yml:1:1 task.network",
    message: /awsvpc/,
  },
  {
    kind: "launchType and capacityProviderStrategy together",
    yaml: `task:\n  taskDefinition: t\n  launchType: EC2\n  capacityProviderStrategy:\n    - { capacityProvider: cp, weight: 1 }\n`,
    at: "jobs/report.yml:4:3 task.capacityProviderStrategy",
    message: /not both/,
  },
  {
    kind: "placement on Fargate",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGATE\n${net}  placement:\n    template: binpack\n`,
    at: "jobs/report.yml:6:3 task.placement",
    message: /EC2 launch type only/,
  },
  {
    kind: "unknown placement template",
    yaml: `task:\n  taskDefinition: t\n  launchType: EC2\n  placement:\n    template: azBalancedSpreed\n`,
    at: "jobs/report.yml:5:5 task.placement.template",
    message: /did you mean "azBalancedSpread"/,
  },
  {
    kind: "placement template and explicit strategy",
    yaml: `task:\n  taskDefinition: t\n  launchType: EC2\n  placement:\n    template: binpack\n    strategy:\n      - { type: random }\n`,
    at: "jobs/report.yml:6:5 task.placement.strategy",
    message: /not both/,
  },
  {
    kind: "bad placement strategy type inside a list",
    yaml: `task:\n  taskDefinition: t\n  launchType: EC2\n  placement:\n    strategy:\n      - type: random\n      - type: packed\n`,
    at: "jobs/report.yml:7:9 task.placement.strategy[1].type",
    message: /expected one of random \| spread \| binpack/,
  },
  {
    kind: "platformVersion on EC2",
    yaml: `task:\n  taskDefinition: t\n  launchType: EC2\n  platformVersion: LATEST\n`,
    at: "jobs/report.yml:4:3 task.platformVersion",
    message: /Fargate only/,
  },
  {
    kind: "ephemeral storage out of range",
    yaml: `task:\n  taskDefinition: t\n  overrides:\n    ephemeralStorageGiB: 10\n`,
    at: "jobs/report.yml:4:5 task.overrides.ephemeralStorageGiB",
    message: /expected 21\.\.200, got 10/,
  },
  {
    kind: "container override without a name",
    yaml: `task:\n  taskDefinition: t\n  overrides:\n    containers:\n      - command: [a]\n`,
    at: "jobs/report.yml:5:9 task.overrides.containers[0].name",
    message: /required/,
  },
  {
    kind: "command that is a map",
    yaml: `task:\n  taskDefinition: t\n  overrides:\n    containers:\n      - name: app\n        command: { a: 1 }\n`,
    at: "jobs/report.yml:6:9 task.overrides.containers[0].command",
    message: /expected a list of strings/,
  },
  {
    kind: "environment variable with an invalid name",
    yaml: `task:\n  taskDefinition: t\n  overrides:\n    containers:\n      - name: app\n        environment: { "1BAD": x }\n`,
    at: "jobs/report.yml:6:24 task.overrides.containers[0].environment.1BAD",
    message: /environment variable name/,
  },
  {
    kind: "the same container twice",
    yaml: `task:\n  taskDefinition: t\n  overrides:\n    containers:\n      - name: app\n      - name: app\n`,
    at: "jobs/report.yml:6:9 task.overrides.containers[1].name",
    message: /listed twice/,
  },
  {
    kind: "overrides larger than 8192 characters",
    yaml: `task:\n  taskDefinition: t\n  overrides:\n    containers:\n      - name: app\n        environment: { BIG: "${"x".repeat(8200)}" }\n`,
    at: "jobs/report.yml:3:3 task.overrides",
    message: /characters as JSON; ECS allows 8192/,
  },
  {
    kind: "tag key starting with aws:",
    yaml: `task:\n  taskDefinition: t\n  tags: { "aws:owner": me }\n`,
    at: "jobs/report.yml:3:11 task.tags.aws:owner",
    message: /must not start with "aws:"/,
  },
  {
    kind: "too many tags",
    yaml: `task:\n  taskDefinition: t\n  tags:\n${Array.from({ length: 49 }, (_, i) => `    k${i}: v\n`).join("")}`,
    at: "jobs/report.yml:3:3 task.tags",
    message: /at most 48 tags/,
  },
  {
    kind: "tag value with forbidden characters",
    yaml: `task:\n  taskDefinition: t\n  tags: { team: "data#1" }\n`,
    at: "jobs/report.yml:3:11 task.tags.team",
    message: /letters, digits, spaces/,
  },
  {
    kind: "cron with 5 fields",
    yaml: `schedule:\n  expression: cron(0 3 * * ?)\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:2:3 schedule.expression",
    message: /6 fields/,
  },
  {
    kind: "rate with a plural unit for 1",
    yaml: `schedule:\n  expression: rate(1 hours)\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:2:3 schedule.expression",
    message: /hour/,
  },
  {
    kind: "unknown time zone",
    yaml: `schedule:\n  expression: rate(1 hour)\n  timezone: Mars/Base\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:3:3 schedule.timezone",
    message: /IANA time zone/,
  },
  {
    kind: "flexible window out of range",
    yaml: `schedule:\n  expression: rate(1 hour)\n  flexibleWindowMinutes: 2000\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:3:3 schedule.flexibleWindowMinutes",
    message: /0 \(off\) or 1\.\.1440/,
  },
  {
    kind: "endDate before startDate",
    yaml: `schedule:\n  expression: rate(1 hour)\n  startDate: 2027-01-01T00:00:00Z\n  endDate: 2026-01-01T00:00:00Z\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:4:3 schedule.endDate",
    message: /after startDate/,
  },
  {
    kind: "startDate that is not a date",
    yaml: `schedule:\n  expression: rate(1 hour)\n  startDate: tomorrow\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:3:3 schedule.startDate",
    message: /ISO 8601/,
  },
  {
    kind: "concurrency not in the enum",
    yaml: `task:\n  taskDefinition: t\npolicy:\n  concurrency: queue\n`,
    at: "jobs/report.yml:4:3 policy.concurrency",
    message: /allow \| forbid \| replace/,
  },
  {
    kind: "retry condition that is not one",
    yaml: `task:\n  taskDefinition: t\npolicy:\n  retries:\n    attempts: 1\n    on: [TaskFailedToStart, Crashed]\n`,
    at: "jobs/report.yml:6:29 policy.retries.on[1]",
    message: /stop code/,
  },
  {
    kind: "unknown alert state",
    yaml: `task:\n  taskDefinition: t\nalerts:\n  on: [FAILED, FAILLED]\n`,
    at: "jobs/report.yml:4:16 alerts.on[1]",
    message: /did you mean "FAILED"/,
  },
  {
    kind: "SNS topic that is not an ARN",
    yaml: `task:\n  taskDefinition: t\nalerts:\n  snsTopicArn: ops-topic\n`,
    at: "jobs/report.yml:4:3 alerts.snsTopicArn",
    message: /SNS topic ARN/,
  },
  {
    kind: "override allowlist entry not allowed",
    yaml: `http:\n  allowOverrides: [command, taskRoleArn]\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:2:29 http.allowOverrides[1]",
    message: /expected count, cpu, memory, command/,
  },
  {
    kind: "spotFallback without FARGATE_SPOT",
    yaml: `task:\n  taskDefinition: t\n  launchType: FARGATE\n${net}policy:\n  spotFallback: true\n`,
    at: "jobs/report.yml:7:3 policy.spotFallback",
    message: /FARGATE_SPOT/,
  },
  {
    kind: "onInstanceLaunch on Fargate",
    yaml: `onInstanceLaunch: true\ntask:\n  taskDefinition: t\n  launchType: FARGATE\n${net}`,
    at: "jobs/report.yml:1:1 onInstanceLaunch",
    message: /EC2 container instances only/,
  },
  {
    kind: "onInstanceLaunch with a count",
    yaml: `onInstanceLaunch: true\ntask:\n  taskDefinition: t\n  launchType: EC2\n  count: 2\n`,
    at: "jobs/report.yml:5:3 task.count",
    message: /count must be 1/,
  },
  {
    kind: "invalid job name given in the file",
    yaml: `name: Report_Job\ntask:\n  taskDefinition: t\n`,
    at: "jobs/report.yml:1:1 name",
    message: /lower-case letters/,
  },
  {
    kind: "invalid job name from the file name",
    name: "Nightly_Report",
    yaml: `task:\n  taskDefinition: t\n`,
    at: "jobs/Nightly_Report.yml:1:1 name",
    message: /file name makes the job name/,
  },
  {
    kind: "YAML syntax error",
    yaml: `task:\n  taskDefinition: [t\n`,
    at: "jobs/report.yml:3:1",
    message: /invalid YAML/,
  },
  {
    kind: "duplicate key",
    yaml: `task:\n  taskDefinition: t\n  taskDefinition: u\n`,
    at: "jobs/report.yml:3:3",
    message: /invalid YAML: Map keys must be unique/,
  },
  {
    kind: "a file that is a list",
    yaml: `- task\n`,
    at: "jobs/report.yml:1:1",
    message: /expected a map of job fields/,
  },
  {
    kind: "an empty file",
    yaml: ``,
    at: "jobs/report.yml:1:1",
    message: /expected a map of job fields, got an empty file/,
  },
  {
    kind: "local outcome not known",
    yaml: `task:\n  taskDefinition: t\nlocal:\n  outcome: explode\n`,
    at: "jobs/report.yml:4:3 local.outcome",
    message: /succeed, exit:N, failToStart:REASON/,
  },
  {
    kind: "error in a value inherited from defaults.yml points at defaults.yml",
    defaults: `task:\n  cluster: jobs\n  count: 0\n`,
    yaml: `task:\n  taskDefinition: t\n`,
    at: "jobs/defaults.yml:3:3 task.count",
    message: /expected 1\.\.10000, got 0/,
  },
  {
    kind: "a boolean where a map is expected",
    yaml: `task:\n  taskDefinition: t\n  network: true\n`,
    at: "jobs/report.yml:3:3 task.network",
    message: /got true/,
  },
];

describe("broken specs are rejected with their location", () => {
  it("covers at least 30 kinds", () => {
    expect(new Set(cases.map((c) => c.kind)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)("$kind", (c) => {
    const name = c.name ?? "report";
    const result = parseJobs(
      files({ [name]: c.yaml }),
      c.defaults === undefined ? undefined : { file: "jobs/defaults.yml", text: c.defaults },
    );
    expect(result.jobs).toEqual([]);
    const lines = result.issues.map(formatSpecIssue);
    const match = result.issues.find((i) => formatSpecIssue(i).startsWith(c.at) && c.message.test(i.message));
    expect(match, `got:\n${lines.join("\n")}`).toBeDefined();
  });
});
