/**
 * What a finished run cost on Fargate (SPEC section 6): vCPU-seconds and GB-seconds from each task's size
 * and billed time, and an estimate in USD from the price table (fargate-prices.ts).
 *
 * Billed time follows https://aws.amazon.com/fargate/pricing/: "from the time you start to download your
 * container image until the Amazon ECS Task terminates, rounded up to the nearest second. A minimum charge
 * of 1 minute applies." So each task counts from pullStartedAt (startedAt if ECS did not say) to
 * stoppedAt; a task that never began pulling is not billed.
 *
 * EC2 and EXTERNAL tasks get no cost: their instances are billed by the hour whatever runs on them, so a
 * per-run share would be invented. A run with any such task, a task of unknown size, or a task not yet
 * stopped has no cost (yet): a partial figure would look like the whole one.
 */
import { FARGATE_PRICES, PRICES_AS_OF } from "./fargate-prices.ts";
import { isFinal, type Run, type RunCost } from "./model.ts";
import { summarizeTasks, type TaskSummary } from "./task-summary.ts";

/**
 * The run's cost, when it is final and every task is a stopped Fargate task of known size. `tasks`: the
 * summary of its tasks (task-summary.ts), by default of `run.tasks`.
 */
export function runCost(run: Run, tasks: TaskSummary = summarizeTasks(run.tasks)): RunCost | undefined {
  const usage = tasks.usage;
  if (!isFinal(run.status) || tasks.tasks === 0 || !usage) return undefined;
  const region = tasks.region ?? "unknown";
  const prices = FARGATE_PRICES[region];
  const note = usage.windows
    ? "no estimate for Windows tasks (the price table holds Linux prices)"
    : prices
      ? undefined
      : `no price for ${region} in the price table`;
  return {
    vcpuSeconds: usage.vcpuSeconds,
    gbSeconds: usage.gbSeconds,
    ...(prices && !usage.windows && usage.usd !== undefined && { usd: Math.round(usage.usd * 1e6) / 1e6 }),
    pricing: {
      source: "estimate",
      region,
      asOf: PRICES_AS_OF,
      ...(usage.spot && !note && { note: "Fargate Spot at its full 70% discount" }),
      ...(note && { note }),
    },
  };
}

/**
 * A short form for tables and messages: `~$0.00023` (the tilde: an estimate), or the vCPU-seconds when
 * there is no price; "-" without a cost.
 */
export function formatCost(cost: RunCost | undefined): string {
  if (!cost) return "-";
  if (cost.usd === undefined) return `${Math.round(cost.vcpuSeconds)} vCPU-s`;
  return `~$${cost.usd >= 1 ? cost.usd.toFixed(2) : Number(cost.usd.toPrecision(2)).toString()}`;
}

/** The long form for alerts: the estimate, what it counts, and which prices it used. */
export function describeCost(cost: RunCost | undefined): string | undefined {
  if (!cost) return undefined;
  const round = (n: number) => Math.round(n * 10) / 10;
  const usage = `${round(cost.vcpuSeconds)} vCPU-s, ${round(cost.gbSeconds)} GB-s`;
  const prices = `${cost.pricing.region} prices of ${cost.pricing.asOf}`;
  const note = cost.pricing.note ? `; ${cost.pricing.note}` : "";
  return cost.usd === undefined
    ? `${usage} (no USD estimate${note})`
    : `${formatCost(cost)} estimated (${usage}; ${prices}${note})`;
}
