/**
 * deploy/function-zips.ts on a hand-written metafile and zip: which chunks a handler keeps, and the zip
 * rewritten without the others, readable by Lambda (mode rw-r--r--).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { type Metafile, reachableOutputs, trimFunctionZip } from "../../deploy/function-zips.ts";
import { readZip } from "./zip.ts";

/** Two builds' worth of outputs as serverless-esbuild's metafile names them (relative to the service). */
const META: Metafile = {
  outputs: {
    ".esbuild/.build/handlers/status.mjs": {
      entryPoint: "handlers/status.ts",
      imports: [
        { path: ".esbuild/.build/handlers/chunk-SHARED.mjs", kind: "import-statement" },
        { path: ".esbuild/.build/handlers/client-sns-AAA.mjs", kind: "dynamic-import" },
        { path: "node:fs", kind: "import-statement", external: true },
      ],
    },
    ".esbuild/.build/handlers/chunk-SHARED.mjs": { imports: [] },
    ".esbuild/.build/handlers/client-sns-AAA.mjs": {
      imports: [{ path: ".esbuild/.build/handlers/chunk-SNS.mjs", kind: "import-statement" }],
    },
    ".esbuild/.build/handlers/chunk-SNS.mjs": { imports: [] },
  },
};

describe("reachableOutputs", () => {
  it("follows static and dynamic imports from the entry, named as in the zip, and skips externals", () => {
    const { reachable, all } = reachableOutputs(META, "handlers/status.mjs");
    expect([...reachable].sort()).toEqual([
      "handlers/chunk-SHARED.mjs",
      "handlers/chunk-SNS.mjs",
      "handlers/client-sns-AAA.mjs",
      "handlers/status.mjs",
    ]);
    expect(all.size).toBe(4);
  });

  it("names the entry it cannot find", () => {
    expect(() => reachableOutputs(META, "handlers/http.mjs")).toThrow(/no output handlers\/http\.mjs/);
  });
});

describe("trimFunctionZip", () => {
  it("drops other builds' outputs and the metafiles, keeps its own and the catalogue", () => {
    const dir = mkdtempSync(join(tmpdir(), "ecs-jobs-function-zips-"));
    const path = join(dir, "status.zip");
    const file = (text: string) => strToU8(text);
    writeFileSync(
      path,
      zipSync({
        "jobs.json": file('{"jobs":[]}'),
        "handlers/status.mjs": file("status"),
        "handlers/chunk-SHARED.mjs": file("shared"),
        "handlers/http.mjs": file("http"),
        "handlers/chunk-HTTP.mjs": file("http chunk"),
        "handlers/status-meta.json": file("{}"),
      }),
    );
    const own = new Set(["handlers/status.mjs", "handlers/chunk-SHARED.mjs"]);
    const all = new Set([...own, "handlers/http.mjs", "handlers/chunk-HTTP.mjs"]);
    const dropped = trimFunctionZip(path, own, all, (name) => name.endsWith("-meta.json"));
    expect(dropped.sort()).toEqual([
      "handlers/chunk-HTTP.mjs",
      "handlers/http.mjs",
      "handlers/status-meta.json",
    ]);
    const zip = readZip(path);
    expect([...zip.keys()].sort()).toEqual(["handlers/chunk-SHARED.mjs", "handlers/status.mjs", "jobs.json"]);
    expect(zip.get("handlers/status.mjs")?.toString("utf8")).toBe("status");
    expect(zip.get("jobs.json")?.toString("utf8")).toBe('{"jobs":[]}');
  });
});
