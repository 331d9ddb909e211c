/**
 * What the deployed handler bundles hold (esbuild with serverless.yml's options, as bench/bundles.ts builds
 * them): none of the spec loader's packages (YAML parsers, classic zod, cronstrue), and node:http loaded
 * through require() (handlers/shims/node-http.ts) — each of these once cost a cold start dearly.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, buildHandlers } from "../../bench/bundles.ts";

// fastest-levenshtein stays: the run request's "did you mean" uses it (2 KB).
const SPEC_LOADER_PACKAGES = ["yaml", "js-yaml", "cronstrue"];

/** The entry file and its chunks (serverless.yml's `splitting`), as one text. */
const codeOf = (b: Bundle) => b.files.map((f) => readFileSync(f, "utf8")).join("\n");

describe("handler bundles", () => {
  const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-bundle-contents-"));
  let bundles: Bundle[] = [];
  beforeAll(async () => {
    bundles = await buildHandlers(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("hold no YAML parser, no cronstrue and only zod/mini", () => {
    expect(bundles).toHaveLength(5);
    for (const b of bundles) {
      const packages = b.byPackage.map(([p]) => p);
      for (const p of SPEC_LOADER_PACKAGES) expect(packages, `${b.name} holds ${p}`).not.toContain(p);
      // zod/mini builds on zod's core; classic zod (the spec schema's) would add ~400 KB.
      const zod = b.byPackage.find(([p]) => p === "zod")?.[1] ?? 0;
      expect(zod, `${b.name}: zod bytes`).toBeLessThan(60 * 1024);
      expect(b.clients.length, `${b.name}: SDK clients`).toBe(6);
    }
  });

  it("import node:http with require(), never as an ES module", () => {
    for (const b of bundles) {
      const code = codeOf(b);
      expect(code, b.name).not.toMatch(/from\s*["']node:http["']|import\(\s*["']node:http["']\s*\)/);
      expect(code, b.name).toContain('("node:http")');
    }
  });

  it("take Lambda's credentials from the environment only, without the rest of the default chain", async () => {
    for (const b of bundles) {
      const packages = b.byPackage.map(([p]) => p);
      for (const p of [
        "@aws-sdk/nested-clients",
        "@aws-sdk/credential-provider-sso",
        "@aws-sdk/credential-provider-ini",
      ])
        expect(packages, `${b.name} holds ${p}`).not.toContain(p);
    }
    // The bundled clients sign with the execution role's environment credentials, and say so when absent.
    const status = bundles.find((b) => b.name === "status");
    const { defaultProvider } = await import("../../handlers/shims/credential-provider-node.ts");
    const saved = { ...process.env };
    try {
      process.env.AWS_ACCESS_KEY_ID = "AKIDEXAMPLE";
      process.env.AWS_SECRET_ACCESS_KEY = "secret";
      process.env.AWS_SESSION_TOKEN = "token";
      await expect(defaultProvider()()).resolves.toMatchObject({
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "secret",
        sessionToken: "token",
      });
      delete process.env.AWS_ACCESS_KEY_ID;
      await expect(defaultProvider()()).rejects.toThrow(/AWS_ACCESS_KEY_ID|credentials/i);
    } finally {
      process.env = saved;
    }
    expect(status && codeOf(status)).toContain("AWS_SESSION_TOKEN");
  });

  it("keep zod's English messages (zod/mini has no locale of its own)", async () => {
    const status = bundles.find((b) => b.name === "status");
    expect(status).toBeDefined();
    const code = status && codeOf(status);
    expect(code).toContain("Invalid input: expected");
  });
});
