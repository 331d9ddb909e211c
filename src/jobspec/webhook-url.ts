/**
 * Which webhook URLs a job may name (alerts.webhook.url): https, or plain http to this machine, which only
 * local mode posts to (a receiver on 127.0.0.1 in tests and demos). Shared by the spec schema and the
 * sender, so the deployed sender refuses what the schema let through for local use.
 */

const isLoopbackHost = (host: string): boolean =>
  host === "localhost" || host === "[::1]" || /^127(\.\d{1,3}){3}$/.test(host);

export type WebhookUrlCheck = { ok: true; loopbackHttp: boolean } | { ok: false; message: string };

export function checkWebhookUrl(value: string): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, message: "expected an https:// URL" };
  }
  if (url.username || url.password)
    return { ok: false, message: "credentials in the URL are not accepted; use secretParameter to sign" };
  if (url.protocol === "https:") return { ok: true, loopbackHttp: false };
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return { ok: true, loopbackHttp: true };
  if (url.protocol === "http:")
    return { ok: false, message: "expected https:// (plain http only to 127.0.0.1, ::1 or localhost)" };
  return { ok: false, message: `expected an https:// URL, got ${url.protocol.replace(":", "")}:` };
}

/** The host, for logs and dead letters: webhook paths often are the credential (Slack, Teams). */
export function webhookHost(value: string): string {
  try {
    return new URL(value).host;
  } catch {
    return "(invalid URL)";
  }
}
