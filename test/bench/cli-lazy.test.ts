/** The CLI loads only the command it runs; --version loads none; help and typos still see every command. */
import { describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { commandsFor, runCli } from "../../src/cli/main.ts";

const ALL = [
  "validate",
  "list",
  "show",
  "next",
  "schema",
  "run",
  "runs",
  "logs",
  "stop",
  "pause",
  "resume",
  "backfill",
  "check",
  "dev",
];

async function cli(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(argv, {
    io: {
      stdout: (t) => {
        out += t;
      },
      stderr: (t) => {
        err += t;
      },
      cwd: process.cwd(),
      env: {},
    },
  });
  return { code, out, err };
}

describe("lazy command loading", () => {
  it("picks the named command, none for --version, all for anything else", () => {
    expect(commandsFor(["run", "x", "--wait"])).toEqual(["run"]);
    expect(commandsFor(["validate", "--help"])).toEqual(["validate"]);
    expect(commandsFor(["--version"])).toEqual([]);
    expect(commandsFor(["-V"])).toEqual([]);
    expect(commandsFor([])).toEqual(ALL);
    expect(commandsFor(["--help"])).toEqual(ALL);
    expect(commandsFor(["help", "run"])).toEqual(ALL);
    expect(commandsFor(["vaildate"])).toEqual(ALL);
    expect(commandsFor(["--version", "run"])).toEqual(ALL);
    expect(commandsFor(["constructor"])).toEqual(ALL);
  });

  it("still prints the version, the full help and the did-you-mean of a typo", async () => {
    const version = await cli(["--version"]);
    expect(version).toMatchObject({ code: 0, out: `${pkg.version}\n` });
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const name of ALL) expect(help.out).toMatch(new RegExp(`^  ${name}\\b`, "m"));
    const typo = await cli(["vaildate"]);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("Did you mean validate?");
  });
});
