import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  type LocalStackInfo,
  readLocalStack,
  removeLocalStack,
  stackFilePath,
  writeLocalStack,
} from "../../src/cli/local-stack-file.ts";

const info = (pid: number): LocalStackInfo => ({
  httpUrl: "http://127.0.0.1:4280",
  ecsUrl: "http://127.0.0.1:4281",
  dynamodbUrl: "http://127.0.0.1:5000",
  eventsUrl: "http://127.0.0.1:5001",
  token: "t",
  pid,
  tableName: "ecs-jobs-runs",
  region: "eu-west-1",
  jobsDir: "/x/jobs",
  startedAt: "2026-01-01T00:00:00.000Z",
});

describe("the local stack's discovery file", () => {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-discovery-"));
  afterEach(() => rmSync(stackFilePath(dir), { force: true }));

  it("is written owner-only, read back while its process lives, and removed by its owner", () => {
    writeLocalStack(dir, info(process.pid));
    expect(statSync(stackFilePath(dir)).mode & 0o777).toBe(0o600);
    expect(readLocalStack(dir)).toEqual(info(process.pid));
    removeLocalStack(dir, process.pid + 1);
    expect(readLocalStack(dir)).toBeDefined();
    removeLocalStack(dir);
    expect(readLocalStack(dir)).toBeUndefined();
  });

  it("is ignored when its process is gone or its content is not a stack", () => {
    // Pids are at most 2^22 on Linux: this one cannot be running.
    writeLocalStack(dir, info(2 ** 22 + 1));
    expect(readLocalStack(dir)).toBeUndefined();
    writeFileSync(stackFilePath(dir), "{ not json");
    expect(readLocalStack(dir)).toBeUndefined();
    writeFileSync(stackFilePath(dir), JSON.stringify({ ...info(process.pid), ecsUrl: 1 }));
    expect(readLocalStack(dir)).toBeUndefined();
    expect(readFileSync(stackFilePath(dir), "utf8")).toContain('"ecsUrl":1');
  });
});
