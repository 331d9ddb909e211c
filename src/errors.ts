/**
 * One base class for every error this system raises on purpose. Anything else that reaches a
 * boundary (CLI, HTTP, handler) is a bug or an AWS fault, and is treated as such there.
 * `code` is stable and machine-readable; `field` names the part of the input at fault.
 */
export class EcsJobsError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, options: { cause?: unknown; field?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.field = options.field;
  }
}

/** One problem in one spec file, located as precisely as the YAML allows. */
export interface SpecIssue {
  file: string;
  line: number;
  column: number;
  path: string;
  message: string;
}

export const formatSpecIssue = (i: SpecIssue): string =>
  `${i.file}:${i.line}:${i.column} ${i.path ? `${i.path}: ` : ""}${i.message}`;

export class SpecError extends EcsJobsError {
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[]) {
    super("InvalidSpec", issues.map(formatSpecIssue).join("\n"));
    this.issues = issues;
  }
}

/** The caller's input is wrong (HTTP body, CLI flag, override). */
export class ValidationError extends EcsJobsError {
  constructor(message: string, options: { cause?: unknown; field?: string } = {}) {
    super("ValidationError", message, options);
  }
}

export class NotFoundError extends EcsJobsError {
  constructor(what: string, options: { cause?: unknown } = {}) {
    super("NotFound", `${what} not found`, options);
  }
}

export class ForbiddenError extends EcsJobsError {
  constructor(message: string, options: { cause?: unknown; field?: string } = {}) {
    super("Forbidden", message, options);
  }
}

/** The request is valid but the current state forbids it (concurrency: forbid, a run already active). */
export class ConflictError extends EcsJobsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("Conflict", message, options);
  }
}

/**
 * AWS kept answering "not now" past this system's own retries (e.g. DynamoDB left keys of a batch read
 * unprocessed). Marked like the SDK's throttling errors, so every boundary treats it as one: transient.
 */
export class ThrottledError extends EcsJobsError {
  readonly $retryable = { throttling: true };
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("Throttled", message, options);
  }
}

/** A conditional write lost: the item changed since it was read, or already holds newer data. */
export class StaleWriteError extends EcsJobsError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("StaleWrite", message, options);
  }
}

/**
 * A resource this system needs does not exist (the run table, a schedule group): the deployment or the
 * configuration is wrong, not the caller's input. `resource` names what was looked for.
 */
export class MissingResourceError extends EcsJobsError {
  readonly resource: string;
  constructor(resource: string, message: string, options: { cause?: unknown } = {}) {
    super("MissingResource", message, options);
    this.resource = resource;
  }
}
