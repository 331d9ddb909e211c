/** `ecs-jobs dev` where the entry handed the CLI no local stack (the CLI never imports local/ itself). */
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.ts";

describe("ecs-jobs dev without a local stack", () => {
  it("says the local stack is missing, in one line, with exit code 1", async () => {
    let stderr = "";
    const code = await runCli(["dev", "--port", "0", "--no-kickoff"], {
      io: {
        stdout: () => true,
        stderr: (t) => {
          stderr += t;
        },
        cwd: "/",
        env: {},
      },
    });
    expect(code).toBe(1);
    expect(stderr).toBe(
      "error: the local stack (local/) is not part of this installation, so `ecs-jobs dev` cannot start it\n",
    );
  });
});
