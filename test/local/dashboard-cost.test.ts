import { describe, expect, it } from "vitest";
import { renderOverviewMain as renderMain } from "../../local/dashboard/overview.ts";
import type { Run } from "../../src/runs/model.ts";
import { runFixture } from "../support/events.ts";

const data = (runs: Run[]) => ({
  jobs: [],
  runs,
  alerts: [],
  now: new Date("2026-03-10T12:00:00Z"),
  ecsUrl: "",
});

describe("the dashboard's runs", () => {
  it("show a finished run's estimated cost under its duration, and nothing for a run without one", () => {
    const priced = runFixture({
      runId: "20260310T110000Z-00000001",
      status: "SUCCEEDED",
      cost: {
        vcpuSeconds: 17,
        gbSeconds: 34,
        usd: 0.000233,
        pricing: { source: "estimate", region: "us-east-1", asOf: "2025-01" },
      },
    });
    const unpriced = runFixture({ runId: "20260310T110000Z-00000002", status: "RUNNING" });
    const html = renderMain(data([priced, unpriced]));
    expect(html).toContain("<th>Duration / cost (est.)</th>");
    const rowOf = (id: string) => html.split(`data-run="${id}"`)[1]?.split("</tr>")[0] ?? "";
    expect(rowOf(priced.runId)).toContain('<div class="muted cost">~$0.00023</div>');
    expect(rowOf(unpriced.runId)).not.toContain('class="muted cost"');
  });
});
