/**
 * One SigV4-signed call to an AWS JSON API (SSM, Secrets Manager, SQS) without the service's SDK client. The
 * only such calls are rare ones: the two that read a webhook's signing secret and the delayed retry's
 * SendMessage. Their clients would add ~290 KB to every handler bundle (esbuild inlines a dynamic import),
 * for one call now and then. The signer, the credentials from the environment and fetch are what the bundles
 * already hold.
 * The endpoint follows the SDK's variables (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL), as the tests use.
 */
import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { fromEnv } from "@aws-sdk/credential-provider-env";
import { SignatureV4 } from "@smithy/signature-v4";

/** The Checksum the signer wants, over node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | ArrayBuffer | ArrayBufferView | undefined;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret;
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    if (this.secret === undefined) return createHash("sha256");
    const key = typeof this.secret === "string" ? this.secret : Buffer.from(this.secret as ArrayBuffer);
    return createHmac("sha256", key as string | Buffer);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === "string" ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** An error answer: its AWS error code (ParameterNotFound, AccessDeniedException …) and HTTP status. */
export class AwsJsonApiError extends Error {
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = code;
    this.status = status;
  }
}

export interface JsonApiCall {
  /** Signing name and endpoint prefix: ssm, secretsmanager, sqs. */
  service: "ssm" | "secretsmanager" | "sqs";
  region: string;
  /** X-Amz-Target, e.g. AmazonSSM.GetParameter. */
  target: string;
  body: Record<string, unknown>;
  env?: Record<string, string | undefined>;
}

function endpointOf(call: JsonApiCall): URL {
  const env = call.env ?? process.env;
  const given = env[`AWS_ENDPOINT_URL_${call.service.toUpperCase()}`] ?? env.AWS_ENDPOINT_URL;
  return new URL(given ?? `https://${call.service}.${call.region}.amazonaws.com/`);
}

export async function callJsonApi(call: JsonApiCall): Promise<unknown> {
  const url = endpointOf(call);
  const body = JSON.stringify(call.body);
  const signer = new SignatureV4({
    service: call.service,
    region: call.region,
    credentials: fromEnv(),
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port && { port: Number(url.port) }),
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      // SQS speaks AWS JSON 1.0; SSM and Secrets Manager 1.1.
      "content-type": `application/x-amz-json-${call.service === "sqs" ? "1.0" : "1.1"}`,
      "x-amz-target": call.target,
    },
    body,
  });
  const res = await fetch(url, { method: "POST", headers: signed.headers, body, redirect: "error" });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    if (res.ok)
      throw new AwsJsonApiError("UnreadableAnswer", `${call.target}: the answer is not JSON`, res.status);
  }
  if (res.ok) return parsed;
  // "__type": "com.amazonaws.ssm#ParameterNotFound" or "ParameterNotFound".
  const code = String(parsed.__type ?? res.headers.get("x-amzn-errortype") ?? `HTTP${res.status}`)
    .split("#")
    .pop()
    ?.split(":")[0] as string;
  const message = String(parsed.message ?? parsed.Message ?? text.slice(0, 200));
  throw new AwsJsonApiError(code, `${call.target}: ${code}: ${message}`, res.status);
}
