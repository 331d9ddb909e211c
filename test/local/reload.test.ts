/**
 * Editing the jobs folder while the local stack runs: new and changed jobs are served (HTTP API, schedules,
 * task definitions), a broken edit is reported and changes nothing, and runs in flight go on.
 */
import { unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/model.ts";
import { fargate, poll, startRun, waitForRun } from "./support/stack.ts";
import { stackForSuite } from "./support/suite-stack.ts";

interface JobView {
  name: string;
  state: string;
  schedule?: { awsExpression: string };
  nextFireTimes: string[];
}

describe("the jobs folder edited while the local stack runs", () => {
  const {
    project,
    api: a,
    stack,
  } = stackForSuite({
    long: fargate("http: true", "{ outcome: succeed, durationSeconds: 600 }"),
    nightly: fargate('schedule: { expression: "cron(0 3 * * ? *)" }', "{ outcome: succeed }"),
  });
  const write = (name: string, text: string) => writeFileSync(join(project.jobsDir, `${name}.yml`), text);

  it("serves a new job file without a restart (the watcher picks it up), and runs it", async () => {
    expect((await a.get("/jobs/fresh")).status).toBe(404);
    write("fresh", fargate("http: true", "{ outcome: succeed, durationSeconds: 0.1 }"));
    await poll(
      () => a.get("/jobs/fresh"),
      (r) => r.status === 200,
      { what: "job fresh served" },
    );
    const run = await waitForRun(a, await startRun(a, "fresh"));
    expect(run.status).toBe("SUCCEEDED");
  });

  it("a changed schedule fires on its new expression; a run in flight goes on", async () => {
    const inFlight = await startRun(a, "long");
    await waitForRun(a, inFlight, (r) => r.status === "RUNNING");
    write("nightly", fargate('schedule: { expression: "cron(30 4 * * ? *)" }', "{ outcome: succeed }"));
    write("long", fargate("http: true\ndescription: edited", "{ outcome: succeed, durationSeconds: 600 }"));
    // The watcher may have reloaded already: what counts is what is served after this.
    await stack().reloadJobs();
    const nightly = (await a.get<JobView>("/jobs/nightly")).body;
    expect(nightly.schedule?.awsExpression).toBe("cron(30 4 * * ? *)");
    expect(nightly.nextFireTimes[0]).toMatch(/T04:30:00/);
    expect(stack().upcoming("nightly", 1)[0]?.toISOString()).toMatch(/T04:30:00/);
    expect((await a.get<Run>(`/runs/${inFlight}`)).body.status).toBe("RUNNING");
    expect((await a.post(`/runs/${inFlight}/stop`)).status).toBe(200);
  });

  it("a broken edit is reported, naming the file, and the jobs stay as they were", async () => {
    write("nightly", "schedule: { expression: 'cron(99 3 * * ? *)' }\ntask: { taskDefinition: app }\n");
    const result = await stack().reloadJobs();
    expect(result).toMatchObject({ issues: [expect.stringContaining("nightly.yml")] });
    expect((await a.get<JobView>("/jobs/nightly")).body.schedule?.awsExpression).toBe("cron(30 4 * * ? *)");
  });

  it("a removed file's job is gone", async () => {
    write("nightly", fargate('schedule: { expression: "cron(30 4 * * ? *)" }', "{ outcome: succeed }"));
    unlinkSync(join(project.jobsDir, "fresh.yml"));
    await stack().reloadJobs();
    expect((await a.get("/jobs/fresh")).status).toBe(404);
  });
});
