/** Shared set-up of the emulator tests: an emulator with short phases, an SDK client, answer checks. */
import { ECSClient, type RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { expect } from "vitest";
import {
  type EcsEmulator,
  type EcsEmulatorOptions,
  startEcsEmulator,
  type TaskStateChangeEvent,
} from "../../../local/ecs/index.ts";
import { ecsModel } from "../../../local/model/ecs-model.ts";
import { formatShapeIssues, validateOperation } from "../../../local/model/validate.ts";

export const FAST_PHASES = {
  provisioning: 100,
  pending: 100,
  activating: 100,
  deactivating: 100,
  stopping: 100,
  deprovisioning: 100,
};

export interface Harness {
  emu: EcsEmulator;
  ecs: ECSClient;
  events: TaskStateChangeEvent[];
  close(): Promise<void>;
}

export async function harness(opts: EcsEmulatorOptions = {}, clientOpts: { maxAttempts?: number } = {}) {
  const events: TaskStateChangeEvent[] = [];
  const emu = await startEcsEmulator({
    phaseMs: FAST_PHASES,
    onTaskStateChange: (e) => {
      events.push(e);
    },
    ...opts,
  });
  const ecs = new ECSClient({
    endpoint: emu.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    ...clientOpts,
  });
  return {
    emu,
    ecs,
    events,
    async close() {
      ecs.destroy();
      await emu.close();
    },
  } satisfies Harness;
}

/** Every successful answer the emulator gave conforms to the operation's output shape in the ECS model. */
export function expectAnswersMatchModel(emu: EcsEmulator): void {
  const served = emu.calls().filter((c) => c.status === 200);
  for (const call of served) {
    const issues = validateOperation(ecsModel(), call.operation, "output", call.output, { wire: true });
    expect(issues, `${call.operation} answer: ${formatShapeIssues(issues)}`).toEqual([]);
  }
}

export const FARGATE_DEF: RegisterTaskDefinitionCommandInput = {
  family: "report",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  cpu: "256",
  memory: "512",
  containerDefinitions: [
    { name: "app", image: "alpine:3.20", essential: true, command: ["echo", "hi"] },
    { name: "sidecar", image: "busybox", essential: false },
  ],
};

export const BRIDGE_DEF: RegisterTaskDefinitionCommandInput = {
  family: "agent",
  containerDefinitions: [{ name: "agent", image: "public.ecr.aws/acme/agent:1", memory: 256, cpu: 128 }],
};

export const AWSVPC = { awsvpcConfiguration: { subnets: ["subnet-0abc"], securityGroups: ["sg-0abc"] } };

/** Statuses a task went through, from the events (in order, without repeats). */
export function statusesOf(events: readonly TaskStateChangeEvent[], taskArn: string): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (e.detail.taskArn !== taskArn) continue;
    const s = String(e.detail.lastStatus);
    if (out.at(-1) !== s) out.push(s);
  }
  return out;
}
