import { defineConfig } from "vitest/config";

/**
 * Pure unit folders: no servers, no child processes, no SDK client mocks, no module state that outlives a
 * test. Their files share workers (isolate: false), which saves a worker start (~0.3 s of CPU) per file;
 * everything else keeps a fresh worker per file. Not handlers/, http/, launch/, runs/: aws-sdk-client-mock
 * patches the clients' prototypes, and a mock left by one file answered another file's real DynamoDB
 * client with undefined (seen in a fresh clone, where the file order differs).
 */
const UNIT = ["alerts", "schedule", "spec", "triggers"].map((folder) => `test/${folder}/**/*.test.ts`);

const PACKAGE = [
  "test/deploy/package.test.ts",
  "test/bench/package.test.ts",
  "test/moto/deploy-function.test.ts",
];

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
