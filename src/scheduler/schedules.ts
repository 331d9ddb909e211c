/**
 * The jobs' schedules in EventBridge Scheduler (the stack's schedule group): read one, list them by state,
 * enable or disable one. Pausing, resuming and the missed-run check (src/app/) decide; this only talks to
 * Scheduler.
 */
import type {
  GetScheduleCommandOutput,
  ScheduleSummary,
  UpdateScheduleCommandInput,
} from "@aws-sdk/client-scheduler";
import type { AwsClients } from "../aws/clients.ts";
import type { AppConfig } from "../config.ts";

export interface SchedulerPort {
  clients: Pick<AwsClients, "scheduler">;
  config: Pick<AppConfig, "scheduleGroup">;
}

/** The schedule of a job in the stack's schedule group: named after the job (deploy/schedules.ts too). */
export const scheduleNameFor = (job: string): string => job;

/** Scheduler refuses a StartDate more than 5 minutes in the past, on UpdateSchedule too. */
const START_DATE_SLACK_MS = 4 * 60_000;

const isNotFound = (e: unknown) => (e as { name?: string } | null)?.name === "ResourceNotFoundException";

/** A job's schedule as Scheduler holds it; undefined when the group has none of that name. */
export async function getSchedule(deps: SchedulerPort, job: string) {
  // Loaded on first use: a run-end client, kept out of the handlers' cold start (handlers/lambda-clients.ts).
  const { GetScheduleCommand } = await import("../aws/sdk/client-scheduler.ts");
  try {
    return await deps.clients.scheduler.send(
      new GetScheduleCommand({ Name: scheduleNameFor(job), GroupName: deps.config.scheduleGroup }),
    );
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** UpdateSchedule replaces the whole schedule, so everything GetSchedule said is sent back. */
export async function setScheduleState(
  deps: Pick<SchedulerPort, "clients"> & { now: () => Date },
  s: GetScheduleCommandOutput,
  State: "ENABLED" | "DISABLED",
): Promise<void> {
  const keepStart = s.StartDate && s.StartDate.getTime() > deps.now().getTime() - START_DATE_SLACK_MS;
  const input: UpdateScheduleCommandInput = {
    Name: s.Name,
    GroupName: s.GroupName,
    ScheduleExpression: s.ScheduleExpression,
    FlexibleTimeWindow: s.FlexibleTimeWindow,
    Target: s.Target,
    State,
    ...(s.ScheduleExpressionTimezone && { ScheduleExpressionTimezone: s.ScheduleExpressionTimezone }),
    ...(s.Description !== undefined && { Description: s.Description }),
    ...(keepStart && { StartDate: s.StartDate }),
    ...(s.EndDate && { EndDate: s.EndDate }),
    ...(s.KmsKeyArn && { KmsKeyArn: s.KmsKeyArn }),
    ...(s.ActionAfterCompletion && { ActionAfterCompletion: s.ActionAfterCompletion }),
  } as UpdateScheduleCommandInput;
  const { UpdateScheduleCommand } = await import("../aws/sdk/client-scheduler.ts");
  await deps.clients.scheduler.send(new UpdateScheduleCommand(input));
}

/** Every schedule of the group in this state, all pages read. */
export async function listSchedules(
  deps: SchedulerPort,
  State: "ENABLED" | "DISABLED",
): Promise<ScheduleSummary[]> {
  const { ListSchedulesCommand } = await import("../aws/sdk/client-scheduler.ts");
  const out: ScheduleSummary[] = [];
  let NextToken: string | undefined;
  do {
    const page = await deps.clients.scheduler.send(
      new ListSchedulesCommand({
        GroupName: deps.config.scheduleGroup,
        State,
        MaxResults: 100,
        ...(NextToken && { NextToken }),
      }),
    );
    out.push(...(page.Schedules ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return out;
}
