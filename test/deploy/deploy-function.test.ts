/** What the plugin hands osls for `deploy function -f KEY`, from the deployed configuration (deploy-function.ts). */
import { describe, expect, it } from "vitest";
import { DeployFunctionError, functionUpdate } from "../../deploy/deploy-function.ts";

const ROLE = "arn:aws:iam::111122223333:role/ecs-jobs-prod-StatusRole-1AB2C3";
const PREFIX = "arn:aws:iam::111122223333:role/";

describe("functionUpdate", () => {
  it("keeps the deployed role, and nothing else, when the function launches through no launcher role", () => {
    expect(functionUpdate("status", { Role: ROLE, Environment: { Variables: {} } }, 0)).toEqual({
      role: ROLE,
      environment: {},
    });
  });

  it("keeps the deployed role and launcher prefix when the catalogue names launcher roles", () => {
    const deployed = {
      Role: ROLE,
      Environment: { Variables: { ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX: PREFIX } },
    };
    expect(functionUpdate("status", deployed, 2)).toEqual({
      role: ROLE,
      environment: { ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX: PREFIX },
    });
  });

  it("refuses, naming the function and the command to run, when the deployed function has no launcher prefix", () => {
    const run = () => functionUpdate("sweeper", { Role: ROLE, Environment: { Variables: {} } }, 3);
    expect(run).toThrow(DeployFunctionError);
    expect(run).toThrow(
      "deploy function sweeper: the jobs now launch through 3 launcher role(s) that the deployed stack does not have (the function has no ECS_JOBS_LAUNCHER_ROLE_ARN_PREFIX): jobs/ changed since the last full deploy. Nothing was uploaded; run `serverless deploy` (the whole stack) instead of `serverless deploy function -f sweeper`.",
    );
  });

  it("refuses when Lambda gave no deployed role", () => {
    expect(() => functionUpdate("http", undefined, 0)).toThrow(
      /^deploy function http: Lambda did not return the deployed function's role\. Nothing was uploaded/,
    );
  });
});
