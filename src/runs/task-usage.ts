/**
 * What stopped Fargate tasks used, for a run's cost (cost.ts says how Fargate bills): one task's vCPU-seconds,
 * GB-seconds and USD at the list prices (fargate-prices.ts), and their sum, which a task summary carries
 * (task-summary.ts) so that a run stored in parts is priced from its parts' summaries.
 */
import { FARGATE_PRICES, type RegionPrices, SPOT_FRACTION } from "./fargate-prices.ts";
import type { TaskState } from "./model.ts";

const FARGATE_PROVIDERS = new Set(["FARGATE", "FARGATE_SPOT"]);

/** The compute of stopped Fargate tasks of known size, summed; absent when some task has none (yet). */
export interface UsageSum {
  vcpuSeconds: number;
  gbSeconds: number;
  /** USD at the list prices of each task's region, before rounding; absent when a region has no price. */
  usd?: number;
  spot: boolean;
  windows: boolean;
}

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

const usd = (vcpuSeconds: number, gbSeconds: number, arm: boolean, spot: boolean, prices: RegionPrices) => {
  const rate = arm ? prices.arm : prices.x86;
  const perTask = (vcpuSeconds * rate.vcpuHour + gbSeconds * rate.gbHour) / 3600;
  return spot ? perTask * SPOT_FRACTION : perTask;
};

/** What the task used, if it is a stopped Fargate task of known size; priced in `region`. */
export function usageOf(task: TaskState, region: string | undefined): UsageSum | undefined {
  if (task.lastStatus !== "STOPPED" || !isFargate(task)) return undefined;
  const cpu = Number(task.billing?.cpu);
  const memory = Number(task.billing?.memory);
  if (!(cpu > 0 && memory > 0)) return undefined;
  const seconds = billedSeconds(task);
  if (seconds === undefined) return undefined;
  const vcpuSeconds = (cpu / 1024) * seconds;
  const gbSeconds = (memory / 1024) * seconds;
  const spot = task.billing?.capacityProviderName === "FARGATE_SPOT";
  const prices = region === undefined ? undefined : FARGATE_PRICES[region];
  const arm = task.billing?.cpuArchitecture === "arm64";
  return {
    vcpuSeconds,
    gbSeconds,
    ...(prices && { usd: usd(vcpuSeconds, gbSeconds, arm, spot, prices) }),
    spot,
    windows: task.billing?.platformFamily?.toUpperCase().startsWith("WINDOWS") === true,
  };
}

/** Both sums; absent when either is (some task has no usage, so the run has no cost). */
export function addUsage(a: UsageSum | undefined, b: UsageSum | undefined): UsageSum | undefined {
  if (!a || !b) return undefined;
  return {
    vcpuSeconds: a.vcpuSeconds + b.vcpuSeconds,
    gbSeconds: a.gbSeconds + b.gbSeconds,
    ...(a.usd !== undefined && b.usd !== undefined && { usd: a.usd + b.usd }),
    spot: a.spot || b.spot,
    windows: a.windows || b.windows,
  };
}
