/**
 * What `ecs-jobs check --aws` asks the account, as a narrow port: each answer is "found" with the few facts
 * the preflight needs, "missing", or "unknown" with why the question could not be answered (no permission,
 * an outage) — never an SDK error. The SDK adapter is aws-account.ts; tests may pass a fake.
 */

export type Lookup<T> =
  | { found: true; value: T }
  | { found: false; missing: true }
  | { found: false; unknown: string };

export interface ContainerDef {
  name: string;
  image?: string;
  logDriver?: string;
  logOptions?: Record<string, string>;
}

export interface TaskDefinitionFacts {
  arn: string;
  status?: string;
  networkMode?: string;
  compatibilities: string[];
  taskRoleArn?: string;
  executionRoleArn?: string;
  containers: ContainerDef[];
}

export interface EcrImageRef {
  registryId: string;
  region: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export interface Account {
  cluster(nameOrArn: string): Promise<Lookup<{ status?: string }>>;
  taskDefinition(ref: string): Promise<Lookup<TaskDefinitionFacts>>;
  subnet(id: string): Promise<Lookup<{ vpcId?: string }>>;
  securityGroup(id: string): Promise<Lookup<{ vpcId?: string }>>;
  role(arn: string): Promise<Lookup<true>>;
  logGroup(name: string, region: string): Promise<Lookup<true>>;
  ecrImage(ref: EcrImageRef): Promise<Lookup<true> & { why?: string }>;
  ssmParameter(nameOrArn: string): Promise<Lookup<true>>;
  secret(arn: string): Promise<Lookup<true>>;
}
