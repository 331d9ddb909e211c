/**
 * Where the jobs' rate schedules count from, for `next` and `list`: the modification times the local stack
 * stored for its schedules (`<data dir>/schedules.json`, --data-dir or ECS_JOBS_DATA_DIR to change the folder), so the CLI
 * shows the times the stack fires. Without that file nothing is known, and a rate counts from `--from`/now
 * (see upcoming in src/catalog/summary.ts).
 */
import { join, resolve } from "node:path";
import type { CliIo } from "./context.ts";
import { DEFAULT_DATA_DIR } from "./local-stack-file.ts";

export async function scheduleAnchors(
  io: CliIo,
  dataDirOption?: string,
): Promise<(job: string) => Date | undefined> {
  const { readScheduleAnchors, SCHEDULES_FILE } = await import("./local-schedules-file.ts");
  const dataDir = resolve(io.cwd, dataDirOption ?? io.env.ECS_JOBS_DATA_DIR ?? DEFAULT_DATA_DIR);
  const anchors = readScheduleAnchors(join(dataDir, SCHEDULES_FILE));
  return (job) => anchors.get(job);
}
