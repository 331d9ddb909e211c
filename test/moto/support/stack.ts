/**
 * The stack's own resources (what deploy/stack.ts adds for the jobs: run table, schedule group, queues,
 * roles), created in moto's CloudFormation exactly as the packaged template defines them. The Lambda
 * functions, their rules and the HTTP API are left out: moto cannot run our bundles, and the tests call
 * the handlers in-process with clients pointed at moto instead.
 */
import { join } from "node:path";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { CreateScheduleGroupCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { parseDeployConfig } from "../../../deploy/config.ts";
import { FUNCTION_KEYS } from "../../../deploy/functions.ts";
import type { ScheduleManifest } from "../../../deploy/schedules.ts";
import { buildStack, LOGICAL_IDS, stackNames } from "../../../deploy/stack.ts";
import { runTableDefinition } from "../../../deploy/table.ts";
import { deploymentNames, STACK_OUTPUTS } from "../../../src/aws/deployment.ts";
import { loadValidJobs } from "../../../src/catalog/build.ts";
import type { Job } from "../../../src/jobspec/schema.ts";
import { ROOT } from "../../support/cli.ts";
import { MOTO_REGION, type Moto } from "./moto.ts";

/** The stack's resources moto's CloudFormation creates (MOTO-FAULTS.md: the schedule group is not one). */
const KEPT = new Set<string>([
  LOGICAL_IDS.table,
  LOGICAL_IDS.taskEventsQueue,
  LOGICAL_IDS.taskEventsDeadLetterQueue,
  LOGICAL_IDS.deadLetterQueue,
]);

export interface Deployed {
  stackName: string;
  tableName: string;
  scheduleGroup: string;
  outputs: Record<string, string>;
  jobs: Job[];
  manifest: ScheduleManifest;
}

export async function deployStack(moto: Moto, stage: string): Promise<Deployed> {
  const jobs = loadValidJobs(join(ROOT, "jobs"));
  const config = parseDeployConfig({});
  const fns = Object.fromEntries(FUNCTION_KEYS.map((k) => [k, `ecs-jobs-${stage}-${k}`])) as never;
  const names = stackNames({
    service: "ecs-jobs",
    stage,
    region: MOTO_REGION,
    functionNames: fns,
    functionLogicalIds: fns,
    config,
  });
  const added = buildStack({ jobs, config, names, table: runTableDefinition() });
  // moto's CloudFormation has no AWS::Scheduler::ScheduleGroup (it skips the resource, then fails on the
  // output's Ref): the group is created through the Scheduler API and the output names it literally.
  const outputs = {
    ...added.outputs,
    [STACK_OUTPUTS.scheduleGroup]: { Description: "Schedule group of the jobs", Value: names.scheduleGroup },
  };
  const template = {
    AWSTemplateFormatVersion: "2010-09-09",
    Resources: Object.fromEntries(Object.entries(added.resources).filter(([id]) => KEPT.has(id))),
    Outputs: outputs,
  };
  const scheduler = new SchedulerClient({ ...moto.client, maxAttempts: 1 });
  await scheduler.send(new CreateScheduleGroupCommand({ Name: names.scheduleGroup }));
  scheduler.destroy();
  const stackName = deploymentNames(stage).stackName;
  const cfn = new CloudFormationClient({ ...moto.client, maxAttempts: 1 });
  await cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
  const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = out.Stacks?.[0];
  if (stack?.StackStatus !== "CREATE_COMPLETE")
    throw new Error(`moto left stack ${stackName} ${stack?.StackStatus}: ${stack?.StackStatusReason}`);
  const deployedOutputs = Object.fromEntries(
    (stack.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]),
  );
  cfn.destroy();
  return {
    stackName,
    tableName: names.tableName,
    scheduleGroup: names.scheduleGroup,
    outputs: deployedOutputs,
    jobs,
    manifest: added.manifest,
  };
}
