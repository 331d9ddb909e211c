/**
 * EventBridge rules on the default bus for the ECS events of the jobs' clusters: task state changes go to a
 * queue the status function reads in batches (a many-task run's events in one write), container instance
 * state changes to the instance-launch function. An event pattern holds at most 4,096 characters, so a long
 * cluster list is spread over several rules.
 */

import { STARTED_BY_PREFIX } from "../src/jobspec/requests.ts";
import type { Job } from "../src/jobspec/schema.ts";
import { type ArnTemplate, cfn, clusterArn, resolveArn, WORST_CASE_CONTEXT } from "./arns.ts";
import type { CfnResource } from "./iam.ts";

/** PutRule EventPattern, max length (shared/aws-models/eventbridge.json). */
export const EVENT_PATTERN_MAX_CHARS = 4096;

export interface EcsEventPattern {
  source: ["aws.ecs"];
  "detail-type": [string];
  detail: Record<string, unknown> & { clusterArn: ArnTemplate[] };
}

/** Only tasks this system started: their startedBy begins with `ecs-jobs/`. */
export function taskStatePattern(clusters: ArnTemplate[]): EcsEventPattern {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: { clusterArn: clusters, startedBy: [{ prefix: `${STARTED_BY_PREFIX}/` }] },
  };
}

/** The handler acts on ACTIVE instances with a connected agent; anything else would only wake it up. */
export function instanceStatePattern(clusters: ArnTemplate[]): EcsEventPattern {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Container Instance State Change"],
    detail: { clusterArn: clusters, status: ["ACTIVE"], agentConnected: [true] },
  };
}

export const patternSize = (p: EcsEventPattern): number =>
  JSON.stringify(p, (_k, v) => (typeof v === "string" ? resolveArn(v, WORST_CASE_CONTEXT) : v)).length;

/** Cluster lists, in order, each small enough for one pattern. */
export function chunkClusters(
  clusters: ArnTemplate[],
  pattern: (c: ArnTemplate[]) => EcsEventPattern,
  maxChars = EVENT_PATTERN_MAX_CHARS,
): ArnTemplate[][] {
  const chunks: ArnTemplate[][] = [];
  let current: ArnTemplate[] = [];
  for (const cluster of clusters) {
    if (current.length > 0 && patternSize(pattern([...current, cluster])) > maxChars) {
      chunks.push(current);
      current = [];
    }
    current.push(cluster);
    if (patternSize(pattern(current)) > maxChars) {
      throw new Error(
        `the cluster ARN ${cluster} alone makes an event pattern longer than ${maxChars} characters`,
      );
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const patternToCfn = (p: EcsEventPattern) => ({
  ...p,
  detail: { ...p.detail, clusterArn: p.detail.clusterArn.map(cfn) },
});

/** Logical id of the Lambda function, or of the SQS queue, the rules deliver to. */
export type RuleTarget = { functionLogicalId: string } | { queueLogicalId: string };

function rulesFor(
  prefix: string,
  description: string,
  clusters: ArnTemplate[],
  pattern: (c: ArnTemplate[]) => EcsEventPattern,
  target: RuleTarget,
): Record<string, CfnResource> {
  const out: Record<string, CfnResource> = {};
  const rules: string[] = [];
  const targetArn = {
    "Fn::GetAtt": ["queueLogicalId" in target ? target.queueLogicalId : target.functionLogicalId, "Arn"],
  };
  chunkClusters(clusters, pattern).forEach((chunk, i) => {
    const rule = `${prefix}Rule${i + 1}`;
    rules.push(rule);
    out[rule] = {
      Type: "AWS::Events::Rule",
      Properties: {
        Description: description,
        EventBusName: "default",
        State: "ENABLED",
        EventPattern: patternToCfn(pattern(chunk)),
        Targets: [{ Id: "queueLogicalId" in target ? "queue" : "handler", Arn: targetArn }],
      },
    };
    if ("functionLogicalId" in target)
      out[`${prefix}Permission${i + 1}`] = {
        Type: "AWS::Lambda::Permission",
        Properties: {
          Action: "lambda:InvokeFunction",
          FunctionName: targetArn,
          Principal: "events.amazonaws.com",
          SourceArn: { "Fn::GetAtt": [rule, "Arn"] },
        },
      };
  });
  if ("queueLogicalId" in target)
    out[`${prefix}QueuePolicy`] = {
      Type: "AWS::SQS::QueuePolicy",
      Properties: {
        Queues: [{ Ref: target.queueLogicalId }],
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "FromTheRules",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: targetArn,
              // These rules only (confused deputy).
              Condition: { ArnEquals: { "aws:SourceArn": rules.map((r) => ({ "Fn::GetAtt": [r, "Arn"] })) } },
            },
          ],
        },
      },
    };
  return out;
}

const clustersOf = (jobs: readonly Job[]): ArnTemplate[] =>
  [...new Set(jobs.map((j) => clusterArn(j.spec.task.cluster)))].sort();

export function ecsRules(
  jobs: readonly Job[],
  targets: { status: RuleTarget; instanceLaunch: RuleTarget },
): Record<string, CfnResource> {
  const launchJobs = jobs.filter((j) => j.spec.onInstanceLaunch);
  return {
    ...rulesFor(
      "EcsJobsTaskState",
      "ecs-jobs: task state changes of the jobs' tasks",
      clustersOf(jobs),
      taskStatePattern,
      targets.status,
    ),
    ...(launchJobs.length > 0 &&
      rulesFor(
        "EcsJobsInstanceState",
        "ecs-jobs: container instances joining clusters with onInstanceLaunch jobs",
        clustersOf(launchJobs),
        instanceStatePattern,
        targets.instanceLaunch,
      )),
  };
}
