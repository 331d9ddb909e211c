/**
 * The CLI bundle (scripts/build-cli.js, preferred by bin/ecs-jobs.js): built into a copy of the project, it
 * prints exactly what the TypeScript sources print, and bin/ bypasses it as soon as anything under src/ (or
 * package.json) is newer than the build.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOB_NAME, type LocalEnv, startLocalEnv } from "../../bench/local-env.ts";
import { type CliResult, jobsFolder, NODE, ROOT } from "../support/cli.ts";

let project: string;
const bin = () => join(project, "bin", "ecs-jobs.js");

function build(): void {
  const r = spawnSync(NODE, [join(project, "scripts", "build-cli.js")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`build-cli failed: ${r.stderr}`);
}

/** The CLI through the project copy's bin/: the bundle when it is fresh, or the sources when asked. */
function run(
  argv: string[],
  options: { cwd?: string; sources?: boolean; env?: NodeJS.ProcessEnv } = {},
): CliResult {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: tmpdir(), ...options.env };
  if (options.sources) env.ECS_JOBS_CLI = "sources";
  const r = spawnSync(NODE, [bin(), ...argv], { cwd: options.cwd ?? ROOT, env, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * As run(), without blocking this process (the ECS emulator and dynalite answer from here): in `cwd` (default
 * the project root), with `env` (default run()'s).
 */
function runAsync(
  argv: string[],
  options: { cwd?: string | undefined; env?: NodeJS.ProcessEnv; sources: boolean },
): Promise<CliResult> {
  const env = options.env ?? { PATH: process.env.PATH ?? "", HOME: tmpdir() };
  const child = spawn(NODE, [bin(), ...argv], {
    cwd: options.cwd ?? ROOT,
    env: { ...env, ...(options.sources && { ECS_JOBS_CLI: "sources" }) },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => {
    stdout += t;
  });
  child.stderr.setEncoding("utf8").on("data", (t: string) => {
    stderr += t;
  });
  return new Promise((resolve) =>
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr })),
  );
}

const dateBack = (path: string) => utimesSync(path, new Date(2000, 0, 1), new Date(2000, 0, 1));

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "ecs-jobs-bundle-"));
  for (const part of ["bin", "src", "local", "package.json", "scripts/build-cli.js"])
    cpSync(join(ROOT, part), join(project, part), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
  build();
});

afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("the CLI bundle", () => {
  it("is split per command: --version loads no parser, validate no SDK; nothing of local/ is bundled", () => {
    /** The bundle files a command loaded (NODE_DEBUG=esm names each module Node translates) and their code. */
    const loaded = (argv: string[]) => {
      const r = run(argv, { env: { NODE_DEBUG: "esm" } });
      expect(r.code).toBe(0);
      const files = new Set(r.stderr.match(/(?<=file:\/\/)\S*\/dist\/cli\/[\w-]+\.mjs/g) ?? []);
      return { files, code: [...files].map((f) => readFileSync(f, "utf8")).join("\n") };
    };
    // esbuild marks where each package's code starts with a "// node_modules/…" comment.
    const version = loaded(["--version"]);
    expect(version.files.size).toBeGreaterThan(0);
    expect(version.code).not.toMatch(/\/\/ node_modules\/(zod|yaml|js-yaml|@aws-sdk)\//);
    const validate = loaded(["validate"]);
    expect(validate.code).toMatch(/\/\/ node_modules\/zod\//);
    expect(validate.code).not.toMatch(/\/\/ node_modules\/@aws-sdk\//);
    const chunks = readdirSync(join(project, "dist", "cli")).filter((f) => f.endsWith(".mjs"));
    // The CLI never imports local/: bin/ hands `dev` the stack, so no chunk holds any of it.
    const localChunks = chunks.filter((f) =>
      /^\/\/ local\//m.test(readFileSync(join(project, "dist", "cli", f), "utf8")),
    );
    expect(localChunks).toEqual([]);
  });

  it("prints what the sources print, byte for byte, exit codes included", async () => {
    const bad = jobsFolder({
      "defaults.yml": "task:\n  cluster: main\n",
      "typo.yml":
        "schedule:\n  expression: cron(0 3 * * ? *)\ntask:\n  taskDefinition: a:1\n  lanchType: FARGATE\n",
      "broken.yml": "task: [unclosed\n",
      "rate.yml": "schedule:\n  expression: rate(0 minutes)\ntask:\n  taskDefinition: b:1\n",
      "fargate.yml": "task:\n  taskDefinition: c:1\n  launchType: FARGATE\n",
    });
    const cases: { argv: string[]; cwd?: string }[] = [
      { argv: ["--version"] },
      { argv: ["--help"] },
      { argv: ["validate"] },
      { argv: ["validate", "--json"] },
      { argv: ["validate", "--jobs", bad], cwd: bad },
      { argv: ["validate", "--jobs", ".", "--json"], cwd: bad },
      { argv: ["show", "thumbnail-fanout", "--run-id", "20260101T000000Z-00000000"] },
      { argv: ["next", "nightly-report", "-n", "3", "--from", "2026-03-28T00:00:00Z"] },
      { argv: ["schema"] },
      { argv: ["vaildate"] },
      { argv: ["show", "no-such-job"] },
      // No local stack in a fresh folder: the error a command raises after loading its Deps.
      { argv: ["run", "x", "--jobs", ROOT.concat("/jobs")], cwd: bad },
    ];
    try {
      expect(run(["--version"], { env: { NODE_DEBUG: "esm" } }).stderr).toMatch(/dist\/cli\/main\.mjs/);
      // The 24 processes four at a time: each is mostly Node starting up, and one after another they took
      // over a minute of the suite.
      const outcomes: { argv: string[]; fromBundle: CliResult; fromSources: CliResult }[] = [];
      for (let i = 0; i < cases.length; i += 2) {
        outcomes.push(
          ...(await Promise.all(
            cases.slice(i, i + 2).map(async (c) => {
              const [fromBundle, fromSources] = await Promise.all([
                runAsync(c.argv, { cwd: c.cwd, sources: false }),
                runAsync(c.argv, { cwd: c.cwd, sources: true }),
              ]);
              return { argv: c.argv, fromBundle, fromSources };
            }),
          )),
        );
      }
      for (const o of outcomes)
        expect({ argv: o.argv, ...o.fromBundle }).toEqual({ argv: o.argv, ...o.fromSources });
      // The folder above is reported, not accepted: the comparison covers the error output.
      expect(run(["validate", "--jobs", bad]).stderr).toMatch(/lanchType: unknown key/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  describe("run against the ECS emulator", () => {
    let env: LocalEnv;
    beforeAll(async () => {
      env = await startLocalEnv();
    });
    afterAll(async () => {
      await env?.close();
    });

    it("launches a run from the bundle as from the sources", async () => {
      const before = env.emulator.tasks().length;
      const argv = ["run", JOB_NAME, "--jobs", env.jobsDir, "--json"];
      const cliEnv: NodeJS.ProcessEnv = { ...env.cliEnv, HOME: tmpdir() };
      delete cliEnv.ECS_JOBS_CLI;
      const bundled = await runAsync(argv, { env: { ...cliEnv, NODE_DEBUG: "esm" }, sources: false });
      const sources = await runAsync(argv, { env: cliEnv, sources: true });
      expect(bundled.stderr).toMatch(/dist\/cli\/main\.mjs/);
      // Only Node's module debug lines (the proof the bundle ran), no warning or error from the CLI.
      expect(bundled.stderr.split("\n").filter((l) => /^(error|warning|unexpected)/.test(l))).toEqual([]);
      expect(sources.stderr).toBe("");
      for (const r of [bundled, sources]) expect(r.code).toBe(0);
      const [a, b] = [JSON.parse(bundled.stdout), JSON.parse(sources.stdout)];
      expect(a).toMatchObject({ job: JOB_NAME, status: b.status, trigger: { kind: "cli" } });
      expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
      expect(env.emulator.tasks().length - before).toBe(2);
    });
  });

  describe("staleness", () => {
    const message = join("src", "cli", "commands", "validate.ts");
    const original = () => readFileSync(join(ROOT, message), "utf8");

    it("runs the bundle while it is fresh and the sources once src/ is newer", () => {
      build();
      // A source edit dated before the build: bin/ still trusts the bundle, so the old text shows.
      writeFileSync(join(project, message), original().replace("job(s) valid", "job(s) VALID"));
      dateBack(join(project, message));
      dateBack(join(project, "src", "cli", "commands"));
      expect(run(["validate"]).stdout).toMatch(/job\(s\) valid\n$/);
      // The same edit, dated now: the bundle is stale and the sources run.
      utimesSync(join(project, message), new Date(), new Date());
      expect(run(["validate"]).stdout).toMatch(/job\(s\) VALID\n$/);
      // Rebuilt, the bundle holds the edit.
      build();
      expect(run(["validate"]).stdout).toMatch(/job\(s\) VALID\n$/);
      writeFileSync(join(project, message), original());
    });

    it("is stale when a source file is removed or package.json changes", () => {
      build();
      const extra = join(project, "src", "cli", "unused-extra.ts");
      writeFileSync(extra, "export {};\n");
      build();
      const fresh = run(["validate"], { env: { NODE_DEBUG: "esm" } });
      expect(fresh.stderr).toMatch(/dist\/cli\/main\.mjs/);
      // A deletion changes only its folder's mtime.
      unlinkSync(extra);
      const afterDelete = run(["validate"], { env: { NODE_DEBUG: "esm" } });
      expect(afterDelete.code).toBe(0);
      expect(afterDelete.stderr).not.toMatch(/dist\/cli\/main\.mjs/);
      expect(afterDelete.stderr).toMatch(/src\/cli\/main\.ts/);
      build();
      expect(run(["validate"], { env: { NODE_DEBUG: "esm" } }).stderr).toMatch(/dist\/cli\/main\.mjs/);
      const later = new Date(Date.now() + 5_000);
      utimesSync(join(project, "package.json"), later, later);
      try {
        expect(run(["validate"], { env: { NODE_DEBUG: "esm" } }).stderr).not.toMatch(/dist\/cli\/main\.mjs/);
      } finally {
        dateBack(join(project, "package.json"));
      }
    });

    it("leaves dev and ECS_JOBS_CLI=sources on the sources", () => {
      build();
      const seen = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
        run(argv, { env: { NODE_DEBUG: "esm", ...env } }).stderr;
      expect(seen(["--version"])).toMatch(/dist\/cli\/main\.mjs/);
      expect(seen(["--version"], { ECS_JOBS_CLI: "sources" })).not.toMatch(/dist\/cli\/main\.mjs/);
      expect(seen(["dev", "--port", "x"])).not.toMatch(/dist\/cli\/main\.mjs/);
    });
  });
});
