/** The JSON 1.1 protocol on the wire: targets, content type, epoch-second timestamps, request checks. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EcsEmulator, startEcsEmulator } from "../../../local/ecs/index.ts";
import { rawRequest } from "../support/raw.ts";
import { expectAnswersMatchModel, FAST_PHASES } from "./support.ts";

let emu: EcsEmulator;
beforeAll(async () => {
  emu = await startEcsEmulator({ phaseMs: FAST_PHASES });
  emu.registerTaskDefinition({
    family: "agent",
    containerDefinitions: [{ name: "agent", image: "agent", memory: 128 }],
  });
  emu.addContainerInstance("default");
});
afterAll(async () => {
  expectAnswersMatchModel(emu);
  await emu.close();
});

async function call(target: string, body: unknown) {
  const res = await fetch(`${emu.url}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": target,
      // Any signature is accepted.
      Authorization: "AWS4-HMAC-SHA256 Credential=x/20260101/eu-west-1/ecs/aws4_request, Signature=00",
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    json: (await res.json()) as Record<string, unknown>,
  };
}

const op = (name: string) => `AmazonEC2ContainerServiceV20141113.${name}`;

describe("JSON 1.1 protocol", () => {
  it("answers with application/x-amz-json-1.1 and epoch-second timestamps", async () => {
    const before = Date.now() / 1000;
    const r = await call(op("RunTask"), { taskDefinition: "agent" });
    expect(r.status).toBe(200);
    expect(r.type).toBe("application/x-amz-json-1.1");
    const task = (r.json.tasks as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(typeof task.createdAt).toBe("number");
    expect(task.createdAt as number).toBeGreaterThanOrEqual(Math.floor(before));
    expect(task.createdAt as number).toBeLessThan(before + 60);
  });

  it("unknown or missing targets are UnknownOperationException", async () => {
    const r = await call(op("CreateService"), {});
    expect(r.status).toBe(400);
    expect(r.json.__type).toBe("UnknownOperationException");
    expect((await call("", {})).json.__type).toBe("UnknownOperationException");
  });

  it("bodies that do not fit the request shape are SerializationException naming the field", async () => {
    const wrongType = await call(op("RunTask"), { taskDefinition: "agent", count: "2" });
    expect(wrongType).toMatchObject({ status: 400, json: { __type: "SerializationException" } });
    expect(wrongType.json.message).toBe("count: expected an integer, got a string");
    const unknown = await call(op("RunTask"), { taskDefinition: "agent", lanchType: "EC2" });
    expect(unknown.json).toMatchObject({
      __type: "SerializationException",
      message: 'lanchType: unknown member (did you mean "launchType"?)',
    });
    expect((await call(op("RunTask"), "{not json")).json.__type).toBe("SerializationException");
  });

  it("values outside the model's or the documented limits are InvalidParameterException naming the field", async () => {
    const missing = await call(op("RunTask"), {});
    expect(missing.json).toMatchObject({
      __type: "InvalidParameterException",
      message: "taskDefinition: is required",
    });
    const nested = await call(op("RunTask"), {
      taskDefinition: "agent",
      overrides: {
        containerOverrides: [{ name: "agent", environment: [{ name: "A", value: "1" }, { name: 2 }] }],
      },
    });
    expect(nested.json.message).toBe(
      "overrides.containerOverrides[0].environment[1].name: expected a string, got an integer",
    );
    const tooMany = await call(op("DescribeTasks"), {
      tasks: Array.from({ length: 101 }, (_, i) => `t${i}`),
    });
    expect(tooMany.json).toMatchObject({
      __type: "InvalidParameterException",
      message: "tasks: expected at most 100 items, got 101",
    });
    const startedBy = await call(op("StartTask"), {
      taskDefinition: "agent",
      containerInstances: ["x"],
      startedBy: "x".repeat(37),
    });
    expect(startedBy.json.message).toBe("startedBy: expected at most 36 characters, got 37");
  });

  it("StartTask on an unknown container instance returns a MISSING failure", async () => {
    const r = await call(op("StartTask"), {
      taskDefinition: "agent",
      containerInstances: ["0123456789abcdef0123456789abcdef"],
    });
    expect(r.json).toMatchObject({
      tasks: [],
      failures: [
        {
          arn: "arn:aws:ecs:eu-west-1:000000000000:container-instance/default/0123456789abcdef0123456789abcdef",
          reason: "MISSING",
        },
      ],
    });
  });
});

/** A RunTask with these headers, as a web page would send it (DNS rebinding, or cross-site). */
async function runTaskWith(headers: Record<string, string>) {
  const r = await rawRequest(emu.url, {
    body: JSON.stringify({ taskDefinition: "agent" }),
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": op("RunTask"), ...headers },
  });
  return { status: r.status, json: JSON.parse(r.body) as Record<string, unknown> };
}

describe("who may call", () => {
  it("refuses web pages (a foreign Host: DNS rebinding; an Origin) before doing anything", async () => {
    const before = emu.calls().filter((c) => c.operation === "RunTask" && c.status === 200).length;
    const port = new URL(emu.url).port;
    for (const headers of [
      { host: "evil.example" },
      { host: `evil.example:${port}` },
      { host: "127.0.0.1.nip.io" },
      { origin: "https://evil.example" },
    ]) {
      const r = await runTaskWith(headers);
      expect({ headers, ...r }).toEqual({
        headers,
        status: 403,
        json: { __type: "AccessDeniedException", message: expect.stringMatching(/not web pages/) },
      });
    }
    expect(emu.calls().filter((c) => c.operation === "RunTask" && c.status === 200)).toHaveLength(before);
  });

  it("serves the loopback names the SDKs and the AWS CLI send", async () => {
    const port = new URL(emu.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, "localhost"]) {
      expect((await runTaskWith({ host })).status).toBe(200);
    }
  });
});
