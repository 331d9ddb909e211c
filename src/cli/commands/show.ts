import { DEFAULT_JOBS_DIR, printJson } from "../context.ts";
import { defineCommand } from "./define-command.ts";

/** Where StartTask will name the instance that joined; show has none, so it prints a placeholder. */
export const INSTANCE_PLACEHOLDER = "<container-instance-arn>";

export const registerShow = defineCommand({
  name: "show",
  argument: ["<name>", "job name"],
  description: "print the exact ECS requests one run would send, in order, as JSON",
  options: (command) =>
    command
      .option("--jobs <dir>", "jobs folder", DEFAULT_JOBS_DIR)
      .option("--run-id <id>", "the run id to put in startedBy, tags and clientToken")
      .option("--instance <arn>", "show the StartTask for this container instance (onInstanceLaunch jobs)")
      .option("--json", "JSON output (the default; accepted for symmetry)"),
  action: async ({ io, now }, name: string, opts: { jobs: string; runId?: string; instance?: string }) => {
    const [{ runTaskRequests, startTaskRequest }, { runIdFor }, { requireJob }] = await Promise.all([
      import("../../jobspec/requests.ts"),
      import("../../runs/run-id.ts"),
      import("../jobs.ts"),
    ]);
    const job = requireJob(io, opts.jobs, name);
    const runId = opts.runId ?? runIdFor(job.name, { kind: "cli", id: "show" }, now());
    const onlyAtLaunch = job.spec.onInstanceLaunch && !job.spec.schedule && !job.spec.http;
    const requests =
      opts.instance || onlyAtLaunch
        ? [startTaskRequest(job, runId, opts.instance ?? INSTANCE_PLACEHOLDER)]
        : runTaskRequests(job, runId);
    printJson(io, requests);
  },
});
