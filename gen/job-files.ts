/**
 * A large, varied jobs folder for the deploy scale tests and the benchmarks (validate, package): every trigger, cron/rate/shorthand/one-time
 * expressions in several zones, Fargate, EC2 and capacity providers, task definitions by family, revision and
 * ARN, clusters by name and ARN, task roles, SNS topics, CloudWatch alarms, disabled and windowed schedules.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ZONES = [
  "UTC",
  "Europe/Paris",
  "America/New_York",
  "Asia/Tokyo",
  "Australia/Sydney",
  "America/Sao_Paulo",
];
const ACCOUNT = "111122223333";

function expression(i: number): string | undefined {
  switch (i % 10) {
    case 0:
      return `cron(${i % 60} ${i % 24} * * ? *)`;
    case 1:
      return `cron(${(i * 7) % 60} ${(i * 5) % 24} ? * MON-FRI *)`;
    case 2:
      return `cron(0 ${(i % 12) + 6} 1,15 * ? *)`;
    case 3:
      return `rate(${(i % 50) + 2} minutes)`;
    case 4:
      return `rate(${(i % 11) + 2} hours)`;
    case 5:
      return ["@hourly", "@daily", "@weekly", "@monthly"][i % 4];
    case 6:
      return `@every ${(i % 5) + 1}h`;
    case 7:
      return `at(2027-0${(i % 9) + 1}-1${i % 10}T0${i % 10}:30:00)`;
    case 8:
      return `cron(15 ${i % 24} L * ? *)`;
    default:
      return undefined; // HTTP / instance-launch only
  }
}

/** Jobs share task definitions the way real teams do: a few hundred families, several revisions each. */
function taskDefinition(i: number): string {
  const family = `app-${String(i % 150).padStart(3, "0")}`;
  const revision = (Math.floor(i / 150) % 4) + 1;
  if (i % 17 === 0) return family;
  if (i % 13 === 0) return `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${family}:${revision}`;
  return `${family}:${revision}`;
}

function cluster(i: number): string {
  const name = `cluster-${i % 12}`;
  return i % 11 === 0 ? `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/${name}` : name;
}

export function generateJobFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {
    "defaults.yml": "task:\n  tags: { managed-by: ecs-jobs }\npolicy:\n  timeoutMinutes: 60\n",
  };
  for (let i = 0; i < count; i++) {
    const name = `job-${String(i).padStart(4, "0")}`;
    const kind = i % 5; // 0-2 Fargate, 3 Fargate Spot, 4 EC2
    const ec2 = kind === 4;
    const expr = expression(i);
    const onLaunch = ec2 && i % 3 === 0;
    const http = i % 3 === 0 || (!expr && !onLaunch);
    const lines = [`description: generated job ${i} (${kind === 4 ? "EC2" : "Fargate"})`];
    if (expr) {
      lines.push("schedule:", `  expression: "${expr}"`, `  timezone: ${ZONES[i % ZONES.length]}`);
      if (i % 25 === 0) lines.push("  enabled: false");
      if (i % 7 === 0) lines.push(`  flexibleWindowMinutes: ${(i % 60) + 1}`);
      if (i % 50 === 0)
        lines.push("  startDate: 2025-01-01T00:00:00Z", "  endDate: 2040-01-01T00:00:00+02:00");
      if (i % 50 === 20) lines.push("  startDate: 2039-06-01T08:00:00+09:00");
    }
    if (http) lines.push("http:", "  allowOverrides: [command, environment.SHARD, count]");
    if (onLaunch) lines.push("onInstanceLaunch: true");
    lines.push("task:", `  cluster: ${cluster(i)}`, `  taskDefinition: ${taskDefinition(i)}`);
    if (kind === 3) {
      lines.push(
        "  capacityProviderStrategy:",
        "    - { capacityProvider: FARGATE_SPOT, weight: 3 }",
        "    - { capacityProvider: FARGATE, weight: 1 }",
      );
    } else {
      lines.push(`  launchType: ${ec2 ? "EC2" : "FARGATE"}`);
    }
    if (ec2) lines.push("  placement:", "    template: azBalancedSpread");
    else
      lines.push(
        "  network:",
        `    subnets: [subnet-${i % 6}a, subnet-${i % 6}b]`,
        "    securityGroups: [sg-0123]",
      );
    lines.push("  overrides:", `    taskRoleArn: arn:aws:iam::${ACCOUNT}:role/task-role-${i % 40}`);
    if (i % 4 === 0) lines.push(`    executionRoleArn: arn:aws:iam::${ACCOUNT}:role/exec-role-${i % 6}`);
    lines.push(
      "    containers:",
      "      - name: app",
      `        command: [run, --shard, "${i}"]`,
      `        environment: { SHARD: "${i}", MODE: batch }`,
      `  tags: { team: team-${i % 10} }`,
      "policy:",
      `  concurrency: ${["allow", "forbid", "replace"][i % 3]}`,
    );
    if (i % 6 === 0) lines.push(`  startDeadlineMinutes: ${(i % 30) + 1}`);
    if (kind === 3) lines.push("  spotFallback: true");
    const alerts = [
      ...(i % 4 === 0 ? [`  snsTopicArn: arn:aws:sns:eu-west-1:${ACCOUNT}:ops-${i % 8}`] : []),
      // A CloudWatch alarm for one job in ten: 100 alarm resources at 1,000 jobs.
      ...(i % 10 === 0 ? ["  alarm: true"] : []),
    ];
    if (alerts.length > 0) lines.push("alerts:", ...alerts);
    files[`${name}.yml`] = `${lines.join("\n")}\n`;
  }
  return files;
}

/** Writes the files into a fresh temporary folder and returns its path. */
export function writeJobsFolder(
  files: Record<string, string>,
  dir = mkdtempSync(join(tmpdir(), "ecs-jobs-deploy-")),
): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
