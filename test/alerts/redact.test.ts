/**
 * What every way out of the ledger shows of a run's overrides (SECURITY.md, secret handling): environment
 * names without values, and command overrides with their program and flag names only — a value after
 * `--token` or in `--password=…` is as secret as an environment value (issue 20, item 3).
 */
import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets } from "../../src/alerts/redact.ts";

describe("redactSecrets", () => {
  it("keeps a command's program and flag names, and redacts every value", () => {
    const run = {
      overrides: {
        containers: {
          app: {
            command: [
              "node",
              "build.js",
              "--token",
              "s3cr3t",
              "--password=hunter2",
              "-v",
              "--date",
              "2026-01-01",
            ],
            environment: { TOKEN: "s3cr3t" },
          },
        },
      },
    };
    const shown = redactSecrets(run);
    expect(shown.overrides.containers.app.command).toEqual([
      "node",
      REDACTED,
      "--token",
      REDACTED,
      `--password=${REDACTED}`,
      "-v",
      "--date",
      REDACTED,
    ]);
    expect(shown.overrides.containers.app.environment).toEqual({ TOKEN: REDACTED });
    expect(JSON.stringify(shown)).not.toMatch(/s3cr3t|hunter2|2026-01-01|build\.js/);
    // The run itself is untouched: a retry launches the same thing.
    expect(run.overrides.containers.app.command[3]).toBe("s3cr3t");
  });

  it("redacts a single-string command (an ENTRYPOINT argument) and ECS-shaped overrides too", () => {
    const shown = redactSecrets({
      command: "--api-key abc",
      containerOverrides: [{ name: "app", command: ["sh", "-c", "curl -H 'x: secret'"] }],
    });
    expect(shown.command).toBe(REDACTED);
    expect(shown.containerOverrides[0]?.command).toEqual(["sh", "-c", REDACTED]);
  });
});
