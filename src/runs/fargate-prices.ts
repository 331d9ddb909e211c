/**
 * Fargate on-demand prices for Linux tasks, USD per vCPU-hour and per GB-hour, for the regions most teams
 * run in. An estimate, not a bill: prices change, Savings Plans and credits are not known here, and
 * ephemeral storage above the free 20 GB, data transfer and public IPv4 are not counted.
 *
 * Source: https://aws.amazon.com/fargate/pricing/ (us-east-1 Linux/x86 $0.04048 / $0.004445 and
 * Linux/ARM $0.03238 / $0.00356, also quoted at https://www.vantage.sh/blog/fargate-pricing; the pricing
 * page prices us-east-1, us-east-2, us-west-2 and eu-west-1 alike). Update PRICES_AS_OF with the table.
 */
export const PRICES_AS_OF = "2025-01";

export interface FargateRate {
  vcpuHour: number;
  gbHour: number;
}

export interface RegionPrices {
  x86: FargateRate;
  arm: FargateRate;
}

const US_EU_WEST: RegionPrices = {
  x86: { vcpuHour: 0.04048, gbHour: 0.004445 },
  arm: { vcpuHour: 0.03238, gbHour: 0.00356 },
};

export const FARGATE_PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": US_EU_WEST,
  "us-east-2": US_EU_WEST,
  "us-west-2": US_EU_WEST,
  "eu-west-1": US_EU_WEST,
  "eu-central-1": {
    x86: { vcpuHour: 0.04656, gbHour: 0.00511 },
    arm: { vcpuHour: 0.03725, gbHour: 0.00409 },
  },
  "ap-northeast-1": {
    x86: { vcpuHour: 0.05056, gbHour: 0.00553 },
    arm: { vcpuHour: 0.04045, gbHour: 0.00442 },
  },
};

/**
 * Fargate Spot's price moves with spare capacity, and AWS states it as "up to 70% off" on-demand; the
 * estimate takes the full discount, so a Spot figure is the low end.
 */
export const SPOT_FRACTION = 0.3;
