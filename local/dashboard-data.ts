/** What the dashboard shows, gathered from the catalogue, the local scheduler and the ledger. */
import {
  awsExpression,
  capacityOf,
  describeSchedule,
  formatInZone,
  parseScheduleExpression,
  triggersOf,
} from "../src/host/domain.ts";
import { type Catalog, type RunLedger, redactSecrets, type WebhookDelivery } from "../src/host/wiring.ts";
import { allowlistOf } from "../src/http/overrides.ts";
import type { AlertLog } from "./aws/alerts.ts";
import type { ScheduleStore } from "./aws/schedules.ts";
import type { DashboardData, DashboardJob } from "./http/dashboard.ts";
import type { LocalScheduler } from "./scheduler.ts";

export const DASHBOARD_RUNS = 50;
/** Runs per job in its strip and duration chart: as many as fit a card's width. */
export const JOB_STRIP_RUNS = 15;

export async function dashboardData(s: {
  catalog: Catalog;
  scheduler: Pick<LocalScheduler, "upcoming">;
  schedules: Pick<ScheduleStore, "isEnabled">;
  ledger: Pick<RunLedger, "listRecent" | "listByJob">;
  alerts: AlertLog;
  deliveries?: () => WebhookDelivery[];
  now: Date;
  ecsUrl: string;
}): Promise<DashboardData> {
  const recent = await Promise.all(
    s.catalog.jobs.map(async (job) =>
      redactSecrets((await s.ledger.listByJob(job.name, { limit: JOB_STRIP_RUNS })).runs),
    ),
  );
  const jobs = s.catalog.jobs.map((job, i): DashboardJob => {
    const sched = job.spec.schedule;
    const state = !sched?.enabled ? "DISABLED" : s.schedules.isEnabled(job.name) ? "ENABLED" : "PAUSED";
    const t = job.spec.task;
    const local = job.spec.local;
    return {
      name: job.name,
      ...(job.spec.description && { description: job.spec.description }),
      triggers: triggersOf(job.spec),
      ...(sched && {
        schedule: {
          expression: awsExpression(sched.expression),
          timezone: sched.timezone,
          state,
          ...describedAs(sched.expression),
        },
      }),
      nextFireTimes:
        sched && state === "ENABLED"
          ? s.scheduler.upcoming(job.name, 3).map((d) => formatInZone(d, sched.timezone))
          : [],
      target: `${capacityOf(job.spec)} ${t.cluster}/${t.taskDefinition} x${t.count}`,
      local: `${local.outcome}, ${local.durationSeconds} s${local.exec ? ", exec" : ""}`,
      recentRuns: recent[i] ?? [],
      // The same allowlist POST /jobs/{name}/runs enforces.
      ...(job.spec.http && { http: { allowOverrides: allowlistOf(job) } }),
    };
  });
  const { runs } = await s.ledger.listRecent({ limit: DASHBOARD_RUNS });
  return {
    jobs,
    runs: redactSecrets(runs),
    alerts: s.alerts.list(),
    deliveries: s.deliveries?.() ?? [],
    now: s.now,
    ecsUrl: s.ecsUrl,
  };
}

/** The schedule in words ("At 03:00"), from a spec that was validated: an expression always parses. */
function describedAs(expression: string): { summary?: string } {
  const parsed = parseScheduleExpression(expression);
  return parsed.ok ? { summary: describeSchedule(parsed.value) } : {};
}
