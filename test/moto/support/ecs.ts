/** ECS resources the example jobs name, created in moto as a user would have them in AWS. */
import {
  CreateClusterCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from "@aws-sdk/client-ecs";
import type { Moto } from "./moto.ts";

/**
 * `family:revision` registered up to that revision (moto numbers revisions from 1, as ECS does). networkMode
 * bridge, not awsvpc: moto would otherwise create an ENI in the job's subnet, which moto does not have
 * (MOTO-FAULTS.md); our requests still carry the job's awsvpc network configuration.
 */
export async function registerTaskDefinition(
  moto: Moto,
  ref: string,
  containers: string[] = ["app"],
  extra: Partial<RegisterTaskDefinitionCommandInput> = {},
): Promise<void> {
  const [family, revision = "1"] = ref.split(":") as [string, string?];
  const ecs = new ECSClient({ ...moto.client, maxAttempts: 1 });
  for (let i = 0; i < Number(revision); i++)
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        networkMode: "bridge",
        containerDefinitions: containers.map((name) => ({
          name,
          image: "busybox",
          memory: 128,
          essential: true,
        })),
        ...extra,
      }),
    );
  ecs.destroy();
}

export async function createCluster(moto: Moto, name: string): Promise<void> {
  const ecs = new ECSClient({ ...moto.client, maxAttempts: 1 });
  await ecs.send(new CreateClusterCommand({ clusterName: name }));
  ecs.destroy();
}
