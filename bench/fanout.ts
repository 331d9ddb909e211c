/**
 * Issue 18's fan-out row and issue 20 item 8, on the local stack with Fargate's RunTask limits enforced
 * (scale-stack.ts), on the wall clock:
 * - one POST of a count:10000 job: time from the POST to the 10,000th task started, against the limits'
 *   least time ((10,000 - 100) / 20 = 495 s); every task once, none lost; the run's item size;
 * - four concurrent POSTs of count:1000: the slowest answer, against the HTTP API's 30 s.
 */
import { loadavg } from "node:os";
import type { Benchmark, Row } from "./lib.ts";
import { round } from "./lib.ts";
import {
  itemBytes,
  jobSpec,
  launched,
  minimumSeconds,
  runItems,
  type ScaleStack,
  startScaleStack,
  until,
} from "./scale-stack.ts";

const ITEM_LIMIT = 400 * 1024;

export async function fanout(tasks: number): Promise<Row[]> {
  const s = await startScaleStack({ fanout: jobSpec({ count: tasks }) });
  try {
    const started = Date.now();
    const answer = await s.post("/jobs/fanout/runs");
    const answeredMs = Date.now() - started;
    if (answer.status !== 202) throw new Error(`POST answered ${answer.status}`);
    const progress = reportProgress(s, started, tasks);
    // Every 500 ms: the count walks the emulator's tasks on the stack's own event loop (7.8 s of CPU over a
    // 5,000-task fan-out at 100 ms), and 500 ms is 0.1% of the least time measured.
    await until(() => launched(s.stack).tasks >= tasks, 3 * 3600_000, `${tasks} tasks started`, 500).finally(
      () => clearInterval(progress),
    );
    const seconds = (Date.now() - started) / 1000;
    const min = minimumSeconds(tasks, Math.ceil(tasks / 10));
    // The last batch's record follows its answer: wait for the ledger to hold every task.
    const runPath = `/runs/${answer.body.runId}`;
    await until(
      async () => (await s.get<{ tasks: unknown[] }>(runPath)).tasks.length >= tasks,
      120_000,
      "every task recorded",
    );
    const run = await s.get<Parameters<typeof itemBytes>[0]>(runPath);
    const arns = new Set(run.tasks.map((t) => t.taskArn));
    const { tasks: started2 } = launched(s.stack);
    const once = arns.size === tasks && run.tasks.length === tasks && started2 === tasks;
    // The largest item the ledger holds for the run (a run of over 1,000 tasks is stored in parts).
    const items = await runItems(s.stack, answer.body.runId);
    const bytes = Math.max(items.run, items.largestPart);
    const oneItem = itemBytes(run);
    const throttled = s.stack.emulator.throttledRunTasks();
    return [
      {
        benchmark: `fan-out: count ${tasks}, time to the last task started (Fargate RunTask limits)`,
        baseline: "the limits' least time, (tasks - 100) / 20 s",
        measured: round(seconds, 1),
        base: round(min, 1),
        unit: "s",
        ratio: round(seconds / min, 2),
        goal: "≤ 1.2×, every task once",
        met: seconds / min <= 1.2 && once,
        notes: `${arns.size} distinct task ARNs recorded, ${started2} started by the emulator, ${throttled} RunTask calls throttled; POST answered in ${answeredMs} ms; largest item ${round(bytes / 1024, 1)} KB of DynamoDB's 400 KB (run item ${round(items.run / 1024, 1)} KB, ${items.parts} task parts up to ${round(items.largestPart / 1024, 1)} KB, ${items.placements} placements; the run in one item would be ${round(oneItem / 1024, 1)} KB compressed)`,
      },
      {
        benchmark: `fan-out: count ${tasks}, the run's largest DynamoDB item`,
        baseline: "DynamoDB's item limit",
        measured: round(bytes / 1024, 1),
        base: 400,
        unit: "KB",
        ratio: round(bytes / ITEM_LIMIT, 2),
        goal: "< 1×",
        met: bytes < ITEM_LIMIT,
      },
    ];
  } finally {
    await s.close();
  }
}

/**
 * Every 30 s on stderr: tasks started so far against the limits' least time for them, so that a long run
 * shows where it falls behind (and a run stopped early how far it got).
 */
function reportProgress(s: ScaleStack, started: number, tasks: number) {
  return setInterval(() => {
    const done = launched(s.stack).tasks;
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `fan-out ${tasks}: ${done} tasks started at ${round(seconds, 1)} s (least ${round(minimumSeconds(done, Math.ceil(done / 10)), 1)} s); load ${loadavg()[0]?.toFixed(2)}\n`,
    );
  }, 30_000);
}

async function concurrentPosts(requests: number, count: number): Promise<Row> {
  const jobs = Object.fromEntries(
    Array.from({ length: requests }, (_, i) => [`wide-${i}`, jobSpec({ count })]),
  );
  const s = await startScaleStack(jobs);
  try {
    const started = Date.now();
    const answers = await Promise.all(
      Object.keys(jobs).map(async (name) => {
        const r = await s.post(`/jobs/${name}/runs`);
        return { status: r.status, ms: Date.now() - started };
      }),
    );
    const slowest = Math.max(...answers.map((a) => a.ms)) / 1000;
    const total = requests * count;
    await until(() => launched(s.stack).tasks >= total, 3 * 3600_000, `${total} tasks started`);
    const allSeconds = (Date.now() - started) / 1000;
    const ok = answers.every((a) => a.status === 202) && launched(s.stack).tasks === total;
    return {
      benchmark: `${requests} concurrent POSTs of count ${count}: slowest answer`,
      baseline: "API Gateway HTTP API's 30 s",
      measured: round(slowest, 2),
      base: 30,
      unit: "s",
      ratio: round(slowest / 30, 2),
      goal: "< 1×, all tasks once",
      met: slowest < 30 && ok,
      notes: `answers ${answers.map((a) => `${a.status} in ${round(a.ms / 1000, 2)} s`).join(", ")}; all ${total} tasks started after ${round(allSeconds, 1)} s (least ${minimumSeconds(total, total / 10)} s)`,
    };
  } finally {
    await s.close();
  }
}

export const fanoutBenchmark: Benchmark = {
  name: "fanout",
  async run({ quick }) {
    return [...(await fanout(quick ? 300 : 10_000)), await concurrentPosts(4, quick ? 100 : 1000)];
  },
};

/** `--count N`: the fan-out alone, of N tasks (a smaller wall-clock run to profile than 10,000). */
function countArg(): number | undefined {
  const i = process.argv.indexOf("--count");
  if (i < 0) return undefined;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error("--count: a whole number of tasks");
  return n;
}

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  // --concurrent: only the concurrent POSTs (issue 20 item 8), without the 10,000-task fan-out before them.
  const count = countArg();
  const rows =
    count !== undefined
      ? await fanout(count)
      : process.argv.includes("--concurrent")
        ? [await concurrentPosts(4, quick ? 100 : 1000)]
        : await fanoutBenchmark.run({ quick });
  for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
}
