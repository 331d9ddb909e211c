/**
 * Restart reconciliation: runs the ledger still shows in flight are brought up to date with what the ECS
 * emulator knows. The emulator resumes its tasks and emits their next events on its own; what this adds is
 * the events that were emitted but never applied (the stack was killed between the two). For every task of an
 * active run, the task as DescribeTasks shows it now is fed to the status handler as an "ECS Task State
 * Change" event; the handler orders events by `detail.version`, so one it already applied changes nothing.
 */
import { randomUUID } from "node:crypto";
import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import type { Catalog } from "../src/catalog/catalog.ts";
import { runTaskStartedBy, startTaskStartedBy } from "../src/jobspec/requests.ts";
import type { RunLedger } from "../src/ledger/ledger.ts";
import type { TaskStateChangeEvent } from "./ecs/index.ts";

/** The event ECS would have sent for the task in its current state (tags left out, as events do). */
function taskEventOf(task: Task, identity: { region: string; accountId: string }, now: Date) {
  const { tags: _tags, ...rest } = task;
  const detail = JSON.parse(JSON.stringify(rest)) as Record<string, unknown> & {
    attachments?: { type?: string }[];
  };
  if (detail.attachments)
    detail.attachments = detail.attachments.map((a) =>
      a.type === "ElasticNetworkInterface" ? { ...a, type: "eni" } : a,
    );
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: identity.accountId,
    time: now.toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: identity.region,
    resources: [task.taskArn ?? ""],
    detail,
  } as TaskStateChangeEvent;
}

export interface ReconcileResult {
  runs: number;
  events: number;
  /** Tasks of active runs the emulator no longer knows (its state file was removed). */
  unknownTasks: string[];
  /** Active runs with a task the ledger does not show STOPPED and the emulator no longer knows. */
  lostRuns: { runId: string; tasks: string[] }[];
}

async function listAll(ecs: ECSClient, cluster: string, startedBy: string): Promise<string[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(
        new ListTasksCommand({ cluster, startedBy, desiredStatus, ...(nextToken && { nextToken }) }),
      );
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return arns;
}

export async function reconcileActiveRuns(o: {
  ledger: Pick<RunLedger, "listActive">;
  catalog: Catalog;
  ecs: ECSClient;
  identity: { region: string; accountId: string };
  now: () => Date;
  deliver: (event: TaskStateChangeEvent) => Promise<unknown>;
}): Promise<ReconcileResult> {
  const active = await o.ledger.listActive();
  const result: ReconcileResult = { runs: active.length, events: 0, unknownTasks: [], lostRuns: [] };
  for (const run of active) {
    const job = o.catalog.get(run.job);
    const cluster = job?.spec.task.cluster ?? "default";
    const arns = new Set(run.tasks.map((t) => t.taskArn));
    try {
      for (const startedBy of [runTaskStartedBy(run.job, run.runId), startTaskStartedBy(run.runId)])
        for (const arn of await listAll(o.ecs, cluster, startedBy)) arns.add(arn);
    } catch {
      // The cluster may no longer exist; the tasks the ledger names are still described below.
    }
    const list = [...arns];
    const unstopped = new Set(run.tasks.filter((t) => t.lastStatus !== "STOPPED").map((t) => t.taskArn));
    const lost: string[] = [];
    for (let i = 0; i < list.length; i += 100) {
      const batch = list.slice(i, i + 100);
      const { tasks = [], failures = [] } = await o.ecs.send(
        new DescribeTasksCommand({ cluster, tasks: batch }),
      );
      for (const f of failures) {
        if (!f.arn) continue;
        result.unknownTasks.push(f.arn);
        if (unstopped.has(f.arn)) lost.push(f.arn);
      }
      for (const task of tasks) {
        await o.deliver(taskEventOf(task, o.identity, o.now()));
        result.events++;
      }
    }
    if (lost.length > 0) result.lostRuns.push({ runId: run.runId, tasks: lost });
  }
  return result;
}
