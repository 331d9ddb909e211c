/** The alert as a person reads it in an SNS e-mail or chat message. */
import { describeCost } from "../runs/cost.ts";
import type { Alert } from "./detail.ts";
import { redactSecrets } from "./redact.ts";

/** SNS Subject: ASCII, no line breaks or control characters, fewer than 100 characters. */
export const SNS_SUBJECT_MAX = 99;
/** SNS messages may be 256 KB; stay well below with room for the encoding. */
const MESSAGE_MAX_CHARS = 200_000;
const SHOWN_TASKS = 10;

export function alertSubject(alert: Alert): string {
  const subject = `ecs-jobs ${alert.kind}: ${alert.run.job} run ${alert.run.runId}`;
  const ascii = subject.replace(/[^\x20-\x7e]/g, "?");
  return ascii.length <= SNS_SUBJECT_MAX ? ascii : `${ascii.slice(0, SNS_SUBJECT_MAX - 3)}...`;
}

const line = (label: string, value: string | number | undefined) =>
  value === undefined || value === "" ? [] : [`${label}: ${value}`];

/** "Changed since last success (run …): …", the first question of whoever is on call. */
export function changedLine(alert: Alert): string {
  const c = alert.changes;
  if (!c) return "";
  return `Changed since last success${c.since ? ` (run ${c.since.runId})` : ""}: ${c.text}`;
}

export function alertMessage(alert: Alert): string {
  const run = redactSecrets(alert.run);
  const out: string[] = [
    alert.summary,
    "",
    ...line("Job", run.job),
    ...line("Run", `${run.runId} (attempt ${run.attempt})`),
    ...line("Trigger", `${run.trigger.kind} ${run.trigger.id}`),
    ...line("Status", run.status),
    ...line("Created", run.createdAt),
    ...line("Started", run.startedAt),
    ...line("Stopped", run.stoppedAt),
    ...line("Hint", run.hint),
    ...line("Cost", describeCost(run.cost)),
    ...(alert.changes ? [changedLine(alert)] : []),
  ];
  if (run.tasks.length > 0) out.push("", "Tasks:");
  for (const t of run.tasks.slice(0, SHOWN_TASKS)) {
    const stop = [t.stopCode, t.stoppedReason].filter(Boolean).join(": ");
    out.push(`- ${t.taskArn} ${t.lastStatus}${stop ? ` (${stop})` : ""}`);
    for (const c of t.containers) {
      const exit = c.exitCode === undefined ? "no exit code" : `exit ${c.exitCode}`;
      out.push(`    ${c.name}: ${exit}${c.reason ? ` (${c.reason})` : ""}`);
    }
  }
  if (run.tasks.length > SHOWN_TASKS) out.push(`- … and ${run.tasks.length - SHOWN_TASKS} more task(s)`);
  if (run.failures.length > 0) out.push("", "Launch failures:");
  for (const f of run.failures.slice(0, SHOWN_TASKS))
    out.push(`- ${f.reason}${f.detail ? `: ${f.detail}` : ""}${f.arn ? ` (${f.arn})` : ""}`);
  if (alert.logs) {
    out.push("", `Logs of ${alert.logs.container}: ${alert.logs.streamUrl}`);
    if (alert.logs.lastLines.length > 0)
      out.push("Last lines:", ...alert.logs.lastLines.map((l) => `    ${l.slice(0, 1_000)}`));
  }
  const text = out.join("\n");
  return text.length <= MESSAGE_MAX_CHARS ? text : `${text.slice(0, MESSAGE_MAX_CHARS)}\n…`;
}
