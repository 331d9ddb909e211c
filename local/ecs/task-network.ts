/** What happens to a task's ENI and images on the way up and down: the fields ECS fills in at each step. */
import { createHash, randomBytes } from "node:crypto";
import type { TaskRecord } from "./records.ts";

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** awsvpc: the ENI is attached, with an address in the subnet; containers share it. */
export function attachEni(rec: TaskRecord, now: Date, region: string): void {
  if (!rec.awsvpc) return;
  const t = rec.task;
  const att = t.attachments?.[0];
  if (!att) return;
  const [x = 0, y = 0] = randomBytes(2);
  const ip = `10.0.${x}.${1 + (y % 254)}`;
  const mac = (hex(6).match(/../g) as string[]).join(":");
  att.status = "ATTACHED";
  att.details = [
    ...(att.details ?? []).filter((d) => d.name === "subnetId"),
    { name: "networkInterfaceId", value: `eni-${hex(9).slice(0, 17)}` },
    { name: "macAddress", value: mac },
    { name: "privateDnsName", value: `ip-${ip.replaceAll(".", "-")}.${region}.compute.internal` },
    { name: "privateIPv4Address", value: ip },
  ];
  t.connectivity = "CONNECTED";
  t.connectivityAt = now;
  for (const c of t.containers) c.networkInterfaces = [{ attachmentId: att.id, privateIpv4Address: ip }];
}

export function setAttachmentStatus(rec: TaskRecord, status: string): void {
  const att = rec.task.attachments?.[0];
  if (att) att.status = status;
}

/** Images pulled: digests known, containers created. */
export function imagesPulled(rec: TaskRecord, now: Date): void {
  const t = rec.task;
  t.pullStoppedAt = now;
  for (const c of t.containers) {
    c.imageDigest = `sha256:${createHash("sha256")
      .update(c.image ?? "")
      .digest("hex")}`;
    c.runtimeId = hex(32);
  }
}
