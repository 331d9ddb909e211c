/** The stack names buildIam() takes, as a test stage would have them. */
import type { IamNames } from "../../deploy/iam.ts";

export const NAMES: IamNames = {
  functionNames: {
    schedule: "ecs-jobs-t-schedule",
    http: "ecs-jobs-t-http",
    instanceLaunch: "ecs-jobs-t-instanceLaunch",
    status: "ecs-jobs-t-status",
    sweeper: "ecs-jobs-t-sweeper",
  },
  tableName: "ecs-jobs-t-runs",
  taskEventsQueueName: "ecs-jobs-t-task-events",
  eventBus: "default",
  scheduleGroup: "ecs-jobs-t",
  schedulerRoleName: "ecs-jobs-t-eu-west-1-scheduler",
  launcherRolePrefix: "ecs-jobs-t-eu-west-1-launcher-",
};
