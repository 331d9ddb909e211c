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
import { FARGATE_PRICES, PRICES_AS_OF, type RegionPrices, SPOT_FRACTION } from "./fargate-prices.ts";
import { isFinal, type Run, type RunCost, type TaskState } from "./model.ts";

const FARGATE_PROVIDERS = new Set(["FARGATE", "FARGATE_SPOT"]);

interface TaskUsage {
  vcpuSeconds: number;
  gbSeconds: number;
  spot: boolean;
  arm: boolean;
  windows: boolean;
}

/** The region of an ECS ARN (arn:aws:ecs:REGION:ACCOUNT:task/…). */
export const regionOfArn = (arn: string): string | undefined => arn.split(":")[3] || undefined;

function isFargate(task: TaskState): boolean {
  const b = task.billing;
  if (b?.capacityProviderName !== undefined) return FARGATE_PROVIDERS.has(b.capacityProviderName);
  return b?.launchType === "FARGATE";
}

/** Seconds Fargate bills for the task, or undefined when its stop time is not known. */
export function billedSeconds(task: TaskState): number | undefined {
  const start = Date.parse(task.billing?.pullStartedAt ?? task.startedAt ?? "");
  if (Number.isNaN(start)) return 0;
  const end = Date.parse(task.stoppedAt ?? "");
  if (Number.isNaN(end)) return undefined;
  return Math.max(60, Math.ceil(Math.max(0, end - start) / 1000));
}

function usageOf(task: TaskState): TaskUsage | undefined {
  if (task.lastStatus !== "STOPPED" || !isFargate(task)) return undefined;
  const cpu = Number(task.billing?.cpu);
  const memory = Number(task.billing?.memory);
  if (!(cpu > 0 && memory > 0)) return undefined;
  const seconds = billedSeconds(task);
  if (seconds === undefined) return undefined;
  return {
    vcpuSeconds: (cpu / 1024) * seconds,
    gbSeconds: (memory / 1024) * seconds,
    spot: task.billing?.capacityProviderName === "FARGATE_SPOT",
    arm: task.billing?.cpuArchitecture === "arm64",
    windows: task.billing?.platformFamily?.toUpperCase().startsWith("WINDOWS") === true,
  };
}

function usdOf(usages: readonly TaskUsage[], prices: RegionPrices): number {
  let usd = 0;
  for (const u of usages) {
    const rate = u.arm ? prices.arm : prices.x86;
    const perTask = (u.vcpuSeconds * rate.vcpuHour + u.gbSeconds * rate.gbHour) / 3600;
    usd += u.spot ? perTask * SPOT_FRACTION : perTask;
  }
  return Math.round(usd * 1e6) / 1e6;
}

/** The run's cost, when it is final and every task is a stopped Fargate task of known size. */
export function runCost(run: Run): RunCost | undefined {
  if (!isFinal(run.status) || run.tasks.length === 0) return undefined;
  const usages: TaskUsage[] = [];
  for (const task of run.tasks) {
    const usage = usageOf(task);
    if (!usage) return undefined;
    usages.push(usage);
  }
  const region = regionOfArn(run.tasks[0]?.taskArn ?? "") ?? "unknown";
  const prices = FARGATE_PRICES[region];
  const windows = usages.some((u) => u.windows);
  const note = windows
    ? "no estimate for Windows tasks (the price table holds Linux prices)"
    : prices
      ? undefined
      : `no price for ${region} in the price table`;
  return {
    vcpuSeconds: usages.reduce((n, u) => n + u.vcpuSeconds, 0),
    gbSeconds: usages.reduce((n, u) => n + u.gbSeconds, 0),
    ...(prices && !windows && { usd: usdOf(usages, prices) }),
    pricing: {
      source: "estimate",
      region,
      asOf: PRICES_AS_OF,
      ...(usages.some((u) => u.spot) && !note && { note: "Fargate Spot at its full 70% discount" }),
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
