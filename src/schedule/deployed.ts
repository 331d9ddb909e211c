/**
 * A job's schedule as deployed (EventBridge Scheduler's GetSchedule/ListSchedules): when it was last created
 * or modified, and the StartDate it really has. The deployment leaves out a StartDate already past
 * (Scheduler refuses one over 5 minutes old; deploy/schedules.ts activeStartDate, and pause/resume), so the
 * spec's startDate is not always the one a rate schedule counts from.
 */
export interface DeployedSchedule {
  modifiedAt: Date;
  /** Absent: the schedule has none, whatever the spec says. */
  startDate?: Date | undefined;
}
