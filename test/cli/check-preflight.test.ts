/** The preflight's own logic with a fake account: what ECR images it recognises, and unanswered questions. */
import { describe, expect, it } from "vitest";
import type { Account } from "../../src/cli/check/account.ts";
import { ecrImageOf, formatProblem, preflight } from "../../src/cli/check/preflight.ts";
import { FARGATE_JOB, job } from "../support/spec.ts";

describe("ECR image references", () => {
  it("reads account, region, repository and tag or digest; other registries are not ECR", () => {
    expect(ecrImageOf("111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/report:1.4")).toEqual({
      registryId: "111122223333",
      region: "eu-west-1",
      repository: "team/report",
      tag: "1.4",
    });
    expect(
      ecrImageOf(`111122223333.dkr.ecr.us-east-1.amazonaws.com/report@sha256:${"b".repeat(64)}`),
    ).toEqual({
      registryId: "111122223333",
      region: "us-east-1",
      repository: "report",
      digest: `sha256:${"b".repeat(64)}`,
    });
    expect(ecrImageOf("111122223333.dkr.ecr.us-east-1.amazonaws.com/report")?.tag).toBe("latest");
    expect(ecrImageOf("public.ecr.aws/nginx/nginx:1")).toBeUndefined();
    expect(ecrImageOf("docker.io/library/node:22")).toBeUndefined();
  });
});

describe("a question the account does not answer", () => {
  it("is a problem naming why, and each distinct question is asked once for all jobs", async () => {
    const asked: string[] = [];
    const denied = { found: false as const, unknown: "AccessDeniedException: not authorized" };
    const ok = { found: true as const, value: {} };
    const account: Account = {
      cluster: async (c) => {
        asked.push(`cluster ${c}`);
        return denied;
      },
      taskDefinition: async () => ({
        found: true,
        value: {
          arn: "arn:aws:ecs:eu-west-1:1:task-definition/report:7",
          status: "ACTIVE",
          networkMode: "awsvpc",
          compatibilities: [],
          containers: [{ name: "app" }],
        },
      }),
      subnet: async () => ok,
      securityGroup: async () => ok,
      role: async () => ({ found: true, value: true }),
      logGroup: async () => ({ found: true, value: true }),
      ecrImage: async () => ({ found: true, value: true }),
      ssmParameter: async () => ({ found: true, value: true }),
      secret: async () => ({ found: true, value: true }),
    };
    const problems = await preflight(account, [job(FARGATE_JOB, "a"), job(FARGATE_JOB, "b")], "eu-west-1");
    expect(problems.map(formatProblem)).toEqual([
      "a: task.cluster: cluster reports could not be checked: AccessDeniedException: not authorized",
      "b: task.cluster: cluster reports could not be checked: AccessDeniedException: not authorized",
    ]);
    expect(asked).toEqual(["cluster reports"]);
  });
});
