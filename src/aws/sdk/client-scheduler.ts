/** The part of @aws-sdk/client-scheduler the Lambda code uses, for a dynamic `import()`: see ./client-sns.ts. */
export {
  GetScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
