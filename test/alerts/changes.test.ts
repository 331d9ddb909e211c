import { describe, expect, it } from "vitest";
import { changesSinceSuccess, overridePaths, ranChanges } from "../../src/alerts/changes.ts";
import { applyTaskEvent } from "../../src/runs/apply-event.ts";
import type { RanWith, Run } from "../../src/runs/model.ts";
import { mergeRan } from "../../src/runs/ran.ts";
import { loadTaskFixture, runFixture } from "../support/events.ts";

const TD = "arn:aws:ecs:us-east-1:111122223333:task-definition/report";
const base: RanWith = {
  taskDefinitionArn: `${TD}:7`,
  containers: [{ name: "app", image: "acme/report:1.4", imageDigest: "sha256:aaa" }],
  overrides: {
    containerOverrides: [
      { name: "app", command: ["node", "build.js"], environment: [{ name: "MODE", value: "full" }] },
    ],
  },
};
const withRan = (ran: RanWith | undefined, extra: Partial<Run> = {}): Run =>
  runFixture({ ...(ran && { ran }), ...extra });

describe("changed since last success", () => {
  it("says nothing changed when the failed run ran exactly what the success ran", () => {
    const out = changesSinceSuccess(withRan(base, { status: "FAILED" }), withRan(base, { runId: "ok-1" }));
    expect(out).toMatchObject({ known: true, changes: [], text: "nothing changed" });
    expect(out.since?.runId).toBe("ok-1");
  });

  it("names a new task definition revision as family:revision", () => {
    const out = changesSinceSuccess(withRan({ ...base, taskDefinitionArn: `${TD}:8` }), withRan(base));
    expect(out.changes).toEqual([{ what: "taskDefinition", before: "report:7", after: "report:8" }]);
    expect(out.text).toBe("task definition report:7 → report:8");
  });

  it("names a new image, and a new digest behind the same tag", () => {
    const newTag = {
      ...base,
      containers: [{ name: "app", image: "acme/report:1.5", imageDigest: "sha256:bbb" }],
    };
    expect(ranChanges(base, newTag)).toEqual([
      { what: "image", container: "app", before: "acme/report:1.4", after: "acme/report:1.5" },
    ]);
    const moved = {
      ...base,
      containers: [{ name: "app", image: "acme/report:1.4", imageDigest: "sha256:ccc" }],
    };
    expect(changesSinceSuccess(withRan(moved), withRan(base)).text).toBe(
      "image of app same tag, new digest sha256:aaa → sha256:ccc",
    );
  });

  it("does not call a digest that ECS did not report (a task that never pulled) a change", () => {
    const noDigest = { ...base, containers: [{ name: "app", image: "acme/report:1.4" }] };
    expect(ranChanges(base, noDigest)).toEqual([]);
  });

  it("names changed overrides by path, never showing an environment value", () => {
    const changed: RanWith = {
      ...base,
      overrides: {
        containerOverrides: [
          {
            name: "app",
            command: ["node", "build.js", "--all"],
            environment: [{ name: "MODE", value: "s3cr3t" }],
          },
        ],
        cpu: "1024",
      },
    };
    const out = changesSinceSuccess(withRan(changed), withRan(base));
    expect(out.changes).toEqual([
      { what: "overrides", path: "containerOverrides[app].command" },
      { what: "overrides", path: "containerOverrides[app].environment.MODE" },
      { what: "overrides", path: "cpu" },
    ]);
    expect(JSON.stringify(out)).not.toContain("s3cr3t");
    expect(JSON.stringify(out)).not.toContain("full");
  });

  it("compares named lists by name, not by position", () => {
    const a = [
      { name: "x", value: "1" },
      { name: "y", value: "2" },
    ];
    const b = [
      { name: "y", value: "2" },
      { name: "x", value: "1" },
    ];
    expect(overridePaths({ environment: a }, { environment: b })).toEqual([]);
  });

  it("says when there is no success to compare with, or no record of what ran", () => {
    expect(changesSinceSuccess(withRan(base), undefined)).toMatchObject({
      known: false,
      text: "no earlier success on record",
    });
    expect(changesSinceSuccess(withRan(base), withRan(undefined, { runId: "old" })).text).toBe(
      "unknown: the last success (old) has no record of what it ran",
    );
  });
});

describe("what a run ran, from its task events", () => {
  it("takes the task definition, image and digest and overrides from the real Fargate event", () => {
    const event = loadTaskFixture("FARGATE");
    const run = applyTaskEvent(runFixture({ tasks: [] }), event.detail);
    if (typeof run === "string") throw new Error(run);
    expect(run.ran).toEqual({
      taskDefinitionArn: "arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1",
      containers: [
        {
          name: "FargateApp",
          image: "111122223333.dkr.ecr.us-west-2.amazonaws.com/hello-repository:latest",
          imageDigest: "sha256:74b2c688c700ec95a93e478cdb959737c148df3fbf5ea706abe0318726e885e6",
        },
      ],
      overrides: { containerOverrides: [{ name: "FargateApp" }] },
    });
  });

  it("fills the digest in from a later event and never takes a fact back, whatever the order", () => {
    const pending = loadTaskFixture("FARGATE").detail;
    const running = loadTaskFixture("FARGATE").detail;
    pending.containers = pending.containers.map(({ imageDigest: _d, ...c }) => c as typeof c);
    delete (pending as Record<string, unknown>).overrides;
    const forward = mergeRan(mergeRan(undefined, pending), running);
    const backward = mergeRan(mergeRan(undefined, running), pending);
    expect(forward).toEqual(backward);
    expect(forward?.containers[0]?.imageDigest).toMatch(/^sha256:74b2/);
  });

  it("skips odd values rather than dropping the event, and keeps no oversized overrides", () => {
    const d = loadTaskFixture("FARGATE").detail as Record<string, unknown> &
      ReturnType<typeof loadTaskFixture>["detail"];
    d.taskDefinitionArn = 42 as unknown as string;
    d.overrides = { containerOverrides: [{ name: "app", command: ["x".repeat(9000)] }] };
    d.containers = [
      { name: "FargateApp", image: { nested: true } } as unknown as (typeof d.containers)[number],
    ];
    expect(mergeRan(undefined, d)).toBeUndefined();
  });
});
