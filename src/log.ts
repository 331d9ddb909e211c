import type { Logger } from "@aws-lambda-powertools/logger";

/** A minimal logger shape: Powertools' Logger satisfies it, and so does a test double. */
export type Log = Pick<Logger, "debug" | "info" | "warn" | "error" | "appendKeys" | "removeKeys">;
