/**
 * Issue 18's busy-minute row, on the local stack with Fargate's RunTask limits enforced (scale-stack.ts):
 * 1,000 one-task jobs fired for the same minute, as the scheduler would, all at once. Measured: time to the
 * last RunTask answered against the limits' least time ((1,000 - 20) / 20 = 49 s at 20 calls a second);
 * every job launched once; every run SUCCEEDED, i.e. every status event applied.
 */
import type { Benchmark, Row } from "./lib.ts";
import { round } from "./lib.ts";
import { jobSpec, launched, minimumSeconds, startScaleStack, until } from "./scale-stack.ts";

/** Fires on 1 January only: nothing fires on its own while the benchmark runs (it fires them itself). */
const YEARLY = "cron(0 3 1 1 ? *)";

async function busyMinute(jobs: number): Promise<Row> {
  const names = Array.from({ length: jobs }, (_, i) => `job-${i}`);
  const s = await startScaleStack(
    Object.fromEntries(names.map((n) => [n, jobSpec({ count: 1, schedule: YEARLY })])),
  );
  try {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const started = Date.now();
    const fired = Promise.all(names.map((n) => s.stack.fireSchedule(n, minute)));
    await until(() => launched(s.stack).calls >= jobs, 3600_000, `${jobs} RunTask calls answered`);
    const seconds = (Date.now() - started) / 1000;
    await fired;
    const min = minimumSeconds(jobs, jobs);
    await until(
      async () => {
        const page = await s.get<{ runs: { status: string }[] }>(`/jobs/${names.at(-1)}/runs`);
        return page.runs[0]?.status === "SUCCEEDED";
      },
      600_000,
      "the last job's run SUCCEEDED",
    );
    let succeeded = 0;
    let runs = 0;
    for (const n of names) {
      const page = await s.get<{ runs: { status: string }[] }>(`/jobs/${n}/runs`);
      runs += page.runs.length;
      succeeded += page.runs.filter((r) => r.status === "SUCCEEDED").length;
    }
    // Events still on their way get a little more time before they count as not applied.
    const tasks = launched(s.stack).tasks;
    const once = runs === jobs && tasks === jobs;
    return {
      benchmark: `busy minute: ${jobs} jobs at one minute, time to the last RunTask`,
      baseline: "the limits' least time, (calls - 20) / 20 s",
      measured: round(seconds, 1),
      base: round(min, 1),
      unit: "s",
      ratio: round(seconds / min, 2),
      goal: "≤ 1.2×, each once, all events applied",
      met: seconds / min <= 1.2 && once && succeeded === jobs,
      notes: `${runs} runs, ${tasks} tasks started, ${succeeded} runs SUCCEEDED (their events applied), ${s.stack.emulator.throttledRunTasks()} RunTask calls throttled`,
    };
  } finally {
    await s.close();
  }
}

export const busyMinuteBenchmark: Benchmark = {
  name: "busy-minute",
  run: async ({ quick }) => [await busyMinute(quick ? 60 : 1000)],
};

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  for (const row of await busyMinuteBenchmark.run({ quick }))
    process.stdout.write(`${JSON.stringify(row)}\n`);
}
