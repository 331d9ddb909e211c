/** What local mode and tests change about alert webhooks. */
export interface WebhookOptions {
  /** Plain http to a loopback address: local mode only (the deployed sender refuses it). */
  allowLoopbackHttp?: boolean;
  /** Reads a signing secret by parameter name or ARN (default: SSM Parameter Store / Secrets Manager). */
  readSecret?: (parameter: string) => Promise<string>;
  /** Told of every webhook delivery, sent or not (the local dashboard lists them). */
  onDelivery?: (delivery: WebhookDelivery) => void;
}

export interface WebhookDelivery {
  at: string;
  job: string;
  runId: string;
  kind: string;
  /** The receiver's host only: a webhook's path is often its credential. */
  host: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
  signed: boolean;
}
