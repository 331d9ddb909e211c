import { describe, expect, it } from "vitest";
import { familyOf } from "../../src/launch/active-tasks.ts";
import { classifyAwsError, withRetry } from "../../src/launch/ecs-call.ts";
import { AlreadyRecorded, padFailures } from "../../src/launch/failures.ts";
import { awsError, recordingLog } from "./harness.ts";

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
    [new TypeError("x is undefined"), "unknown"],
    ["a string", "unknown"],
  ] as const)("%o is %s", (error, kind) => {
    expect(classifyAwsError(error)).toBe(kind);
  });
});

describe("withRetry", () => {
  const deps = (sleeps: number[]) => ({
    log: recordingLog(),
    sleep: async (ms: number) => void sleeps.push(ms),
  });

  it("backs off exponentially up to the cap, with full jitter, for the given attempts", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const always = () => {
      calls++;
      return Promise.reject(awsError("ThrottlingException", 400));
    };
    await expect(
      withRetry(deps(sleeps), "RunTask", always, { attempts: 6, baseMs: 100, maxMs: 500, random: () => 1 }),
    ).rejects.toMatchObject({ name: "ThrottlingException" });
    expect(calls).toBe(6);
    expect(sleeps).toEqual([100, 200, 400, 500, 500]);
    const jittered: number[] = [];
    await expect(
      withRetry(deps(jittered), "RunTask", always, {
        attempts: 3,
        baseMs: 100,
        maxMs: 500,
        random: () => 0.5,
      }),
    ).rejects.toBeDefined();
    expect(jittered).toEqual([50, 100]);
  });

  it("returns the first success and does not retry client errors", async () => {
    const sleeps: number[] = [];
    let n = 0;
    const flaky = () => (++n < 3 ? Promise.reject(awsError("ServerException", 500)) : Promise.resolve("ok"));
    await expect(withRetry(deps(sleeps), "X", flaky)).resolves.toBe("ok");
    expect(sleeps).toHaveLength(2);
    let m = 0;
    const bad = () => {
      m++;
      return Promise.reject(awsError("InvalidParameterException", 400));
    };
    await expect(withRetry(deps([]), "X", bad)).rejects.toMatchObject({ name: "InvalidParameterException" });
    expect(m).toBe(1);
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
