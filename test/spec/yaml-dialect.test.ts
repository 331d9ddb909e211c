/**
 * Specs are read by js-yaml (fast) and re-parsed by `yaml` (positions) only to place errors. Both must read
 * the same values, or an error could point at a value the job does not have.
 */
import jsYaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { generateJobFiles } from "../../gen/job-files.ts";
import { readJobsDir } from "../../src/catalog/read-dir.ts";
import { parseJobs } from "../../src/spec/parse.ts";

const both = (text: string) => ({
  fast: jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA }),
  located: parse(text) as unknown,
});

describe("the two YAML readers agree", () => {
  const texts = [
    ...readJobsDir("jobs").files.map((f) => f.text),
    ...Object.values(generateJobFiles(40)),
    "a: 2026-01-01T00:00:00Z\nb: 0x1F\nc: 1e3\nd: ~\ne: True\nf: 'on'\ng: on\nh: yes\ni: .inf\nk: 010\nl: 0o10\n",
    's: |\n  multi\n  line\nt: >-\n  folded\n  text\nu: "esc\\tape"\n',
  ];

  it.each(texts.map((t, i) => [i, t]))("on text %i", (_, text) => {
    const { fast, located } = both(text as string);
    expect(fast).toEqual(located);
  });

  it("files with anchors take the guarded parser, which refuses alias bombs", () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ntask:\n  taskDefinition: t\n`;
    const { jobs, issues } = parseJobs([{ file: "jobs/bomb.yml", text: bomb }]);
    expect(jobs).toEqual([]);
    expect(issues).toEqual([
      expect.objectContaining({
        file: "jobs/bomb.yml",
        line: 2,
        column: 8,
        message: expect.stringMatching(/alias/i),
      }),
    ]);
  });
});
