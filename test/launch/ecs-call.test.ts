import { describe, expect, it } from "vitest";
import { classifyAwsError } from "../../src/aws/ecs-call.ts";
import { familyOf } from "../../src/launch/active-tasks.ts";
import { AlreadyRecorded, padFailures } from "../../src/launch/failures.ts";
import { awsError } from "./harness.ts";

describe("classifyAwsError", () => {
  it.each([
    [awsError("ThrottlingException", 400), "throttle"],
    [awsError("TooManyRequestsException", 429), "throttle"],
    [awsError("Whatever", 429), "throttle"],
    [awsError("ServerException", 500), "server"],
    [awsError("InternalFailure", 503), "server"],
    [awsError("InvalidParameterException", 400), "client"],
    [awsError("AccessDeniedException", 403), "client"],
    [awsError("ClusterNotFoundException", 400), "client"],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "network"],
    [
      Object.assign(new SyntaxError("Unexpected token '<'"), { $metadata: { httpStatusCode: 200 } }),
      "server",
    ],
    [new TypeError("x is undefined"), "unknown"],
    ["a string", "unknown"],
  ] as const)("%o is %s", (error, kind) => {
    expect(classifyAwsError(error)).toBe(kind);
  });
});

describe("launch bookkeeping", () => {
  it("padFailures fills the shortfall with the last reason so the aggregate can finish", () => {
    expect(padFailures([{ reason: "A" }], 3, 5)).toEqual([
      { reason: "A" },
      { reason: "A", detail: "ECS placed 2 of 5 task(s) and gave no failure for the rest" },
      { reason: "A", detail: "ECS placed 2 of 5 task(s) and gave no failure for the rest" },
    ]);
    expect(padFailures([], 1, 1)).toEqual([
      { reason: "NOT_PLACED", detail: "ECS placed 0 of 1 task(s) and gave no failure for the rest" },
    ]);
    const many = [{ reason: "A" }, { reason: "B" }];
    expect(padFailures(many, 1, 1)).toBe(many);
  });

  it("AlreadyRecorded passes on only what is new, counting duplicates", () => {
    const seen = new AlreadyRecorded([{ reason: "A" }, { reason: "A" }, { reason: "B" }]);
    expect(seen.fresh([{ reason: "A" }, { reason: "C" }])).toEqual([{ reason: "C" }]);
    expect(seen.fresh([{ reason: "A" }, { reason: "A" }])).toEqual([{ reason: "A" }]);
  });

  it("familyOf reads family, family:revision and ARNs", () => {
    expect(familyOf("report")).toBe("report");
    expect(familyOf("report:7")).toBe("report");
    expect(familyOf("arn:aws:ecs:eu-west-1:111122223333:task-definition/cache-compaction:12")).toBe(
      "cache-compaction",
    );
  });
});
