/** Varied, valid job specs for benchmarks and scale tests: cron and rate, several zones, Fargate and EC2. */
const ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney"];

export function generateJobs(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const name = `job-${String(i).padStart(4, "0")}`;
    const schedule = i % 3 === 0 ? `rate(${(i % 59) + 2} minutes)` : `cron(${i % 60} ${i % 24} * * ? *)`;
    const fargate = i % 4 !== 0;
    files[`${name}.yml`] = [
      `description: generated job ${i}`,
      "schedule:",
      `  expression: ${schedule}`,
      `  timezone: ${ZONES[i % ZONES.length]}`,
      "task:",
      `  cluster: cluster-${i % 7}`,
      `  taskDefinition: family-${i % 50}:${(i % 9) + 1}`,
      `  launchType: ${fargate ? "FARGATE" : "EC2"}`,
      ...(fargate
        ? ["  network:", `    subnets: [subnet-${i % 5}a, subnet-${i % 5}b]`, "    securityGroups: [sg-0123]"]
        : ["  placement:", "    template: azBalancedSpread"]),
      "  overrides:",
      `    taskRoleArn: arn:aws:iam::111122223333:role/task-role-${i % 20}`,
      "    containers:",
      "      - name: app",
      `        command: [run, --shard, "${i}"]`,
      `        environment: { SHARD: "${i}", MODE: batch }`,
      `  tags: { team: team-${i % 10} }`,
      "policy:",
      `  timeoutMinutes: ${30 + (i % 60)}`,
      "",
    ].join("\n");
  }
  return files;
}
