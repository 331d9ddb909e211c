/** ECS resource ARNs in the long format ECS uses today (task and container instance ARNs carry the cluster). */
import { randomBytes, randomUUID } from "node:crypto";

export interface ArnContext {
  region: string;
  accountId: string;
}

const base = (c: ArnContext) => `arn:aws:ecs:${c.region}:${c.accountId}`;

export const clusterArn = (c: ArnContext, name: string) => `${base(c)}:cluster/${name}`;
export const taskDefinitionArn = (c: ArnContext, family: string, revision: number) =>
  `${base(c)}:task-definition/${family}:${revision}`;
export const taskArn = (c: ArnContext, cluster: string, id: string) => `${base(c)}:task/${cluster}/${id}`;
export const containerArn = (c: ArnContext, cluster: string, taskId: string) =>
  `${base(c)}:container/${cluster}/${taskId}/${randomUUID()}`;
export const containerInstanceArn = (c: ArnContext, cluster: string, id: string) =>
  `${base(c)}:container-instance/${cluster}/${id}`;
/** ECS task and container instance ids: 32 hex characters. */
export const newResourceId = () => randomBytes(16).toString("hex");

/** The last path segment of an ARN, or the string itself when it is already an id or a name. */
export function resourceId(ref: string): string {
  if (!ref.startsWith("arn:")) return ref;
  const resource = ref.split(":").slice(5).join(":");
  return resource.split("/").at(-1) ?? resource;
}

/** `arn:…:cluster/NAME` or `NAME` → NAME (undefined when an ARN names another account or region). */
export function clusterNameOf(c: ArnContext, ref: string): string | undefined {
  if (!ref.startsWith("arn:")) return ref;
  const m = /^arn:aws[a-z-]*:ecs:([^:]+):(\d+):cluster\/(.+)$/.exec(ref);
  if (!m || m[1] !== c.region || m[2] !== c.accountId) return undefined;
  return m[3];
}

/** Parses `family`, `family:revision` or a task definition ARN (undefined for a malformed reference). */
export function parseTaskDefinitionRef(
  c: ArnContext,
  ref: string,
): { family: string; revision?: number } | undefined {
  let spec = ref;
  if (ref.startsWith("arn:")) {
    const m = /^arn:aws[a-z-]*:ecs:([^:]+):(\d+):task-definition\/(.+)$/.exec(ref);
    if (!m || m[1] !== c.region || m[2] !== c.accountId) return undefined;
    spec = m[3] as string;
  }
  const m = /^([a-zA-Z0-9_-]+)(?::(\d+))?$/.exec(spec);
  if (!m) return undefined;
  return m[2] === undefined ? { family: m[1] as string } : { family: m[1] as string, revision: Number(m[2]) };
}
