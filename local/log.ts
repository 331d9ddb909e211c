/**
 * The local stack's log: one readable line per message on the terminal, instead of the JSON lines
 * Powertools writes to CloudWatch. It satisfies the handlers' `Log` (src/log.ts), so their logs show here too.
 */
import { inspect } from "node:util";
import type { Log } from "../src/host/wiring.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

type Write = (message: string, extra?: Record<string, unknown>) => void;

export interface LocalLog {
  debug: Write;
  info: Write;
  warn: Write;
  error: Write;
  /** The same log with a prefix naming where a line comes from (a handler, the scheduler …). */
  child(source: string): LocalLog;
  /** The handlers' view of it (Powertools' Logger shape: appendKeys, removeKeys, varied arguments). */
  asDepsLog(): Log;
}

/**
 * Terminal control characters (ESC sequences, CR, BEL, C1 …) as visible `\xNN`: a caller's field name or a
 * job's output must not move the cursor, retitle the window or hide earlier lines. Newline and tab stay:
 * continuation lines are indented below their message, so they cannot pass for a line of their own.
 */
const escapeControl = (text: string): string =>
  text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );

function render(extra: unknown[]): string {
  const parts: string[] = [];
  for (const e of extra) {
    if (e instanceof Error) parts.push(e.stack ?? e.message);
    else if (e && typeof e === "object") {
      for (const [k, v] of Object.entries(e)) {
        if (v === undefined) continue;
        const text =
          typeof v === "string"
            ? v
            : v instanceof Error
              ? (v.stack ?? v.message)
              : inspect(v, { breakLength: Number.POSITIVE_INFINITY, depth: 4 });
        parts.push(`${k}=${text.includes("\n") ? `\n  ${text.replace(/\n/g, "\n  ")}` : text}`);
      }
    } else if (e !== undefined) parts.push(String(e));
  }
  return parts.length > 0 ? ` ${parts.join(" ")}` : "";
}

export function createLocalLog(
  write: (line: string) => void,
  options: { level?: LogLevel; now?: () => Date; source?: string } = {},
): LocalLog {
  const min = ORDER[options.level ?? "info"];
  const now = options.now ?? (() => new Date());
  const keys: Record<string, unknown> = {};
  const line = (level: LogLevel, input: unknown, extra: unknown[]) => {
    if (ORDER[level] < min) return;
    const message =
      typeof input === "string"
        ? input
        : input && typeof input === "object" && "message" in input
          ? String((input as { message: unknown }).message)
          : String(input);
    const rest =
      typeof input === "object" && input !== null ? [{ ...input, message: undefined }, ...extra] : extra;
    const time = now().toISOString().slice(11, 19);
    const tag = level === "info" ? "" : ` ${level.toUpperCase()}`;
    const source = options.source ? ` [${options.source}]` : "";
    write(`${time}${tag}${source} ${escapeControl(`${message}${render(rest)}`)}\n`);
  };
  const log = {
    debug: (input: unknown, ...extra: unknown[]) => line("debug", input, extra),
    info: (input: unknown, ...extra: unknown[]) => line("info", input, extra),
    warn: (input: unknown, ...extra: unknown[]) => line("warn", input, extra),
    error: (input: unknown, ...extra: unknown[]) => line("error", input, extra),
    // Persistent keys (request ids …) are the business of CloudWatch queries; locally they only add noise.
    appendKeys: (attributes: Record<string, unknown>) => {
      Object.assign(keys, attributes);
    },
    removeKeys: (names: string[]) => {
      for (const n of names) delete keys[n];
    },
    child: (source: string) =>
      createLocalLog(write, { ...options, source: options.source ? `${options.source}/${source}` : source }),
    // The methods above accept whatever Powertools' Logger accepts (a message or an object, then extras).
    asDepsLog: () => log as unknown as Log,
  };
  return log;
}
