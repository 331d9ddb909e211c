/**
 * Cost per run, counted (not timed): what a 1-task successful run, a 1-task failed run with an alert and a
 * 100-task run cost in AWS calls, DynamoDB writes/reads and capacity units, Lambda invocations and SQS
 * messages (bench/cost/run.ts), beside what the usual do-it-yourself set-up costs for the same runs and
 * task events (bench/cost/diy.ts). Goals: no more writes than the do-it-yourself set-up for a 1-task run;
 * ≤ 0.2 writes per task event for the 100-task run.
 */
import { type DiyCost, diyCost } from "./cost/diy.ts";
import { type RunCost, runCost, type Scenario } from "./cost/run.ts";
import type { Benchmark, Row } from "./lib.ts";
import { round } from "./lib.ts";

const SCENARIOS: (Scenario & { label: string })[] = [
  { label: "1 task, succeeded", name: "cost-one", count: 1, outcome: "succeed", alerts: false },
  { label: "1 task, failed with an alert", name: "cost-fail", count: 1, outcome: "exit:1", alerts: true },
  { label: "100 tasks, succeeded", name: "cost-hundred", count: 100, outcome: "succeed", alerts: false },
];

const calls = (c: Map<string, number>) =>
  [...c]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([op, n]) => `${op} ${n}`)
    .join(", ");

export function costSummary(c: RunCost | DiyCost): string {
  return (
    `DynamoDB ${c.writes} writes (${c.wcu} WCU), ${c.reads} reads (${c.rcu} RCU); ` +
    `Lambda ${c.lambdaInvocations} invocations; SQS ${c.sqsMessages} messages; API calls: ${calls(c.calls)}`
  );
}

export const costBenchmark: Benchmark = {
  name: "cost",
  async run({ quick }) {
    const rows: Row[] = [];
    for (const s of quick ? SCENARIOS.slice(0, 2) : SCENARIOS) {
      const ours = await runCost(s);
      const diy = diyCost({ tasks: s.count, events: ours.events, failedTasks: ours.failedTasks });
      const perEvent = s.count > 1;
      const measured = perEvent ? round(ours.writes / ours.events, 3) : ours.writes;
      const base = perEvent ? round(diy.writes / ours.events, 3) : diy.writes;
      rows.push({
        benchmark: `cost per run: ${s.label} (DynamoDB writes${perEvent ? " per task event" : ""})`,
        baseline: "do-it-yourself set-up (model)",
        measured,
        base,
        unit: perEvent ? "writes/event" : "writes",
        ratio: round(measured / base),
        goal: perEvent ? "≤ 0.2 writes per task event" : "≤ the do-it-yourself set-up's writes",
        met: perEvent ? measured <= 0.2 : ours.writes <= diy.writes,
        notes:
          `run ${ours.status}, ${ours.events} task events, ${ours.alerts} alerts delivered. ` +
          `ecs-jobs: ${costSummary(ours)}. Do-it-yourself: ${costSummary(diy)}`,
      });
    }
    return rows;
  },
};
