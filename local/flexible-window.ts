/**
 * EventBridge Scheduler's flexible time window, simulated: with `flexibleWindowMinutes: N` a fire time t is
 * delivered at some moment in [t, t + N minutes), its scheduled time still t. Locally the moment is drawn
 * from a hash of the job and the fire time rather than at random, so a restart in the middle of a window
 * delivers the same fire time at the same moment (and, its execution id being derived the same way, launches
 * nothing twice), and a test can compute it.
 */
import { createHash } from "node:crypto";

export function flexibleDelayMs(job: string, fireTime: Date, windowMinutes: number): number {
  if (windowMinutes <= 0) return 0;
  const hash = createHash("sha256").update(`${job}\n${fireTime.toISOString()}`).digest();
  return hash.readUInt32BE(0) % (windowMinutes * 60_000);
}
