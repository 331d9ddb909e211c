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

/**
 * An EC2 instance in moto, for RegisterContainerInstance (moto checks the instance exists). One EC2 Query
 * call by hand: the project has no EC2 SDK client and moto routes by the credential scope, checking no
 * signature. `ami-12c6146b` is one of the images moto ships.
 */
export async function runEc2Instance(moto: Moto): Promise<string> {
  const res = await fetch(moto.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${moto.client.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: "Action=RunInstances&Version=2016-11-15&ImageId=ami-12c6146b&MinCount=1&MaxCount=1",
  });
  const text = await res.text();
  const id = /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(text)?.[1];
  if (!res.ok || !id) throw new Error(`moto RunInstances answered ${res.status}: ${text.slice(0, 300)}`);
  return id;
}
