/**
 * A run's output on the local stack, through the CLI and the HTTP API: `local.exec` jobs print real output,
 * other jobs a few lines standing in for it; `run --wait` streams them and follows retries.
 */

import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Run } from "../../src/runs/model.ts";
import { BIN, cli, NODE } from "../support/cli.ts";
import { startRun, waitForRun } from "./support/stack.ts";
import { stackForSuite } from "./support/suite-stack.ts";

const execJob = (extra: string, script: string) => `${extra}
task:
  cluster: local-test
  taskDefinition: printer
  launchType: FARGATE
  network: { subnets: [subnet-0abc] }
  overrides:
    containers:
      - name: app
        command: [node, -e, ${JSON.stringify(script)}]
local: { exec: true }
`;

describe("run output on the local stack", () => {
  const { project, api: a } = stackForSuite({}, { schedulerPollMs: 25, retryDelaysMs: [50, 100] }, (p) => {
    const files: Record<string, string> = {
      printer: execJob("http: true", "console.log('line one'); console.error('line two')"),
      // Fails the first time (exit 3), succeeds the next: one retry on exit:3.
      flaky: execJob(
        "http: true\npolicy: { retries: { attempts: 1, on: ['exit:3'] } }",
        `const fs = require('fs'); if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, 'x'); console.log('first attempt fails'); process.exit(3); } console.log('second attempt works');`,
      ),
      long: `http: true
task:
  cluster: local-test
  taskDefinition: long
  launchType: FARGATE
  network: { subnets: [subnet-0abc] }
local: { outcome: succeed, durationSeconds: 600 }
`,
      quiet: `http: true
task:
  cluster: local-test
  taskDefinition: quiet
  launchType: FARGATE
  network: { subnets: [subnet-0abc] }
local: { outcome: exit:2, durationSeconds: 0.1 }
`,
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(p.jobsDir, `${name}.yml`), text);
  });
  // Written by the flaky job's first attempt; its script names it (prepared in beforeAll, after this line).
  const marker = join(project.dir, "first-attempt-done");

  it("`ecs-jobs logs RUN` prints what the container printed, each line prefixed with task and container", async () => {
    const run = await waitForRun(a, await startRun(a, "printer"));
    expect(run.status).toBe("SUCCEEDED");
    const task = (run.tasks[0]?.taskArn ?? "").split("/").at(-1) ?? "";
    const r = await cli(["logs", run.runId], { cwd: project.dir });
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual(
      [`${task.slice(0, 8)}/app | line one`, `${task.slice(0, 8)}/app | line two`].sort(),
    );
    const bad = await cli(["logs", run.runId, "--container", "db"], { cwd: project.dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("no container db (its containers: app)");
    const since = await cli(["logs", run.runId, "--since", "soon"], { cwd: project.dir });
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("--since");
  });

  it("GET /runs/{runId}/logs?limit=1 answers the last line; a job without local.exec has stand-in lines", async () => {
    const printed = await waitForRun(a, await startRun(a, "printer"));
    const res = await a.get<{ lines: { message: string; container: string }[] }>(
      `/runs/${printed.runId}/logs?limit=1`,
    );
    expect(res.status).toBe(200);
    expect(res.body.lines).toHaveLength(1);
    const quiet = await waitForRun(a, await startRun(a, "quiet"));
    const stand = await a.get<{ lines: { message: string }[] }>(`/runs/${quiet.runId}/logs`);
    expect(stand.body.lines.map((l) => l.message)).toEqual([
      expect.stringContaining("app started; without local.exec"),
      "[ecs-jobs local] app exited with code 2",
    ]);
    expect((await a.get(`/runs/${quiet.runId}/logs?limit=5000`)).status).toBe(400);
  });

  it("`run NAME --wait` streams the output and follows the retry: exit 0 with the second attempt", async () => {
    expect(existsSync(marker)).toBe(false);
    const r = await cli(["run", "flaky", "--wait"], { cwd: project.dir });
    expect(r.stdout).toContain("app | first attempt fails");
    expect(r.stdout).toContain("app | second attempt works");
    expect(r.stdout).toContain("(attempt 2)");
    expect(r.code).toBe(0);
    const runs = (await a.get<{ runs: Run[] }>("/jobs/flaky/runs")).body.runs;
    expect(runs.map((x) => [x.attempt, x.status])).toEqual([
      [2, "SUCCEEDED"],
      [1, "FAILED"],
    ]);
  });

  it("Ctrl+C during `run --wait` stops following, not the run (exit 130)", async () => {
    const child = spawn(NODE, [BIN, "run", "long", "--wait"], { cwd: project.dir, stdio: "pipe" });
    let out = "";
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    // Interrupt once the run is seen RUNNING: the run id is on the first line.
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (/RUNNING/.test(out)) resolve();
      });
    });
    // "close", not "exit": exit can come before the parent has read the child's last stderr bytes.
    const code = new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
    child.kill("SIGINT");
    expect(await code).toBe(130);
    const runId = /run (\S+) of long/.exec(out)?.[1] ?? "";
    expect(err).toContain(`stopped following; run ${runId} goes on`);
    expect((await a.get<Run>(`/runs/${runId}`)).body.status).toBe("RUNNING");
    await a.post(`/runs/${runId}/stop`);
  });
});
