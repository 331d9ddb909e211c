import { defineConfig } from "vitest/config";

/**
 * Pure unit folders: no servers, no child processes, no module state that outlives a test (mocks are set up
 * and reset per test). Their files share workers (isolate: false), which saves a worker start (~0.3 s of CPU)
 * per file; everything else keeps a fresh worker per file.
 */
const UNIT = ["alerts", "handlers", "http", "launch", "runs", "schedule", "spec", "triggers"].map(
  (folder) => `test/${folder}/**/*.test.ts`,
);

const PACKAGE = ["test/deploy/package.test.ts", "test/bench/package.test.ts"];

export default defineConfig({
  test: {
    // Timeouts only catch hangs: generous, so that a machine shared with other work (2 cores, load 30 seen)
    // slows tests down, never fails them. Test files set no shorter ones.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    restoreMocks: true,
    // vitest's default on 2 cores is one worker; most integration files mostly wait (timers, child
    // processes, sockets), so a third worker keeps both cores busy.
    maxWorkers: 3,
    projects: [
      { extends: true, test: { name: "unit", include: UNIT, isolate: false } },
      {
        extends: true,
        test: { name: "integration", include: ["test/**/*.test.ts"], exclude: [...UNIT, ...PACKAGE] },
      },
      // The files that read `serverless package` output share one package of the example jobs, made in the
      // background from the start (only when one of these files runs).
      {
        extends: true,
        test: { name: "package", include: PACKAGE, globalSetup: ["test/deploy/package-setup.ts"] },
      },
    ],
  },
});
