/**
 * `ecs-jobs dev` as a user runs it: a separate process that prints its URLs and token, serves the example
 * jobs with the demo kick-off (what `npm start` shows on a fresh clone), and stops cleanly on a signal.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, it } from "vitest";
import type { LocalAlert } from "../../local/aws/alerts.ts";
import { cli, NODE, ROOT } from "../support/cli.ts";
import { openDashboard, poll } from "./support/stack.ts";

const ENTRY = join(import.meta.dirname, "support", "dev-entry.ts");

interface Dev {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function startDev(cwd: string, args: string[], env: Record<string, string> = {}): Dev {
  const child = spawn(NODE, [ENTRY, "dev", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (t: string) => {
    out += t;
  });
  child.stderr?.setEncoding("utf8").on("data", (t: string) => {
    err += t;
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

const ready = (dev: Dev) =>
  poll(
    async () => dev.out(),
    (out) => {
      if (dev.child.exitCode !== null) throw new Error(`ecs-jobs dev exited early:\n${dev.err()}`);
      return out.includes("Press Ctrl+C to stop.");
    },
    { what: "the dev banner" },
  );

const field = (out: string, label: string): string => {
  const m = new RegExp(`^\\s+${label}\\s+(\\S+)`, "m").exec(out);
  if (!m?.[1]) throw new Error(`no "${label}" line in:\n${out}`);
  return m[1];
};

const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/**
 * A port P with P + 1 free too (dev serves the emulator on P + 1), below the kernel's ephemeral range
 * (32768 and up): a port the kernel picked for us could have its neighbour handed to another test's
 * listen(0) or connection a moment later.
 */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    if ((await canBind(port)) && (await canBind(port + 1))) return port;
  }
}

describe("ecs-jobs dev", () => {
  const dirs: string[] = [];
  const running: Dev[] = [];
  const project = () => {
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-dev-"));
    cpSync(join(ROOT, "jobs"), join(dir, "jobs"), { recursive: true });
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    for (const d of running) if (d.child.exitCode === null) d.child.kill("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("runs the example jobs: successes, a failed start with its hint and an alert within seconds", async () => {
    const dir = project();
    const dev = startDev(dir, ["--port", "0"]);
    running.push(dev);
    const out = await ready(dev);
    const dashboard = field(out, "Dashboard");
    const token = field(out, "Token");
    expect(dashboard).toBe(`${field(out, "HTTP API")}/?token=${token}`);
    expect(out).toMatch(/Demo kick-off: started .*legacy-import/);
    expect(out).toContain(`--endpoint-url ${field(out, "ECS API")}`);
    expect(existsSync(join(dir, ".ecs-jobs", "stack.json"))).toBe(true);

    const httpUrl = field(out, "HTTP API");
    const alerts = await poll(
      async () =>
        (
          (await (
            await fetch(`${httpUrl}/alerts`, { headers: { authorization: `Bearer ${token}` } })
          ).json()) as {
            alerts: LocalAlert[];
          }
        ).alerts,
      (list) => list.some((a) => a.job === "legacy-import" && a.kind === "FAILED"),
      { what: "the legacy-import alert" },
    );
    expect(alerts.filter((a) => a.job === "legacy-import")).toHaveLength(1);
    const html = await poll(
      async () => (await openDashboard(dashboard)).text(),
      (page) => page.includes(">SUCCEEDED<") && page.includes(">FAILED<"),
      { what: "succeeded and failed runs on the dashboard" },
    );
    expect(html).toContain("CannotPullContainerError");
    expect(html).toContain("image could not be pulled");

    dev.child.kill("SIGINT");
    expect(await dev.exited).toBe(0);
    expect(dev.err()).toMatch(/SIGINT: stopping…[\s\S]*stopped\./);
    expect(existsSync(join(dir, ".ecs-jobs", "stack.json"))).toBe(false);
    expect(existsSync(join(dir, ".ecs-jobs", "ledger"))).toBe(true);
  });

  it("serves the ECS emulator on --port + 1, takes the token from ECS_JOBS_TOKEN, and stops on SIGTERM", async () => {
    const dir = project();
    const port = await freePortPair();
    const dev = startDev(dir, ["--port", String(port), "--no-kickoff"], {
      ECS_JOBS_TOKEN: "my-own-token-0123456789",
    });
    running.push(dev);
    const out = await ready(dev);
    expect(field(out, "HTTP API")).toBe(`http://127.0.0.1:${port}`);
    expect(field(out, "ECS API")).toBe(`http://127.0.0.1:${port + 1}`);
    expect(field(out, "Token")).toBe("my-own-token-0123456789");
    expect(out).toContain("No demo kick-off.");
    const ecs = new ECSClient({
      endpoint: `http://127.0.0.1:${port + 1}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "a", secretAccessKey: "b" },
    });
    const { clusterArns } = await ecs.send(new ListClustersCommand({}));
    ecs.destroy();
    expect(clusterArns?.length).toBeGreaterThan(0);
    const jobs = await fetch(`http://127.0.0.1:${port}/jobs`, {
      headers: { authorization: "Bearer my-own-token-0123456789" },
    });
    expect(jobs.status).toBe(200);
    dev.child.kill("SIGTERM");
    expect(await dev.exited).toBe(0);
  });

  it("is a command of the ecs-jobs CLI", async () => {
    const r = await cli(["dev", "--help"]);
    // An unknown command's --help falls back to the program's help, which does not know --ecs-port.
    if (!r.stdout.includes("--ecs-port"))
      throw new Error(
        "`ecs-jobs dev` is not registered: add registerDev(program, io) to buildProgram in src/cli/main.ts",
      );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--no-kickoff");
  });
});
