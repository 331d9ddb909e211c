import { GENERIC_HINT_CODE, type HintEntry, hintCatalogue } from "./hints/catalogue.ts";

/*
 * Turns what ECS says about a stopped task (or a task it could not place) into a cause and what to check,
 * in the spirit of https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-errors.html.
 * The catalogue and its sources are in ./hints/catalogue.ts.
 */

export interface Hint {
  /** Catalogue id, e.g. "CannotPullContainerError.Network", "ExitCode.137", "SpotInterruption", "Unknown". */
  code: string;
  cause: string;
  check: string;
  /** The AWS page that explains this failure. */
  doc: string;
}

export interface HintContainer {
  name: string;
  exitCode?: number | undefined;
  reason?: string | undefined;
  /** Absent = unknown, treated as essential (ECS stops the task when an essential container exits). */
  essential?: boolean | undefined;
}

export interface HintFailure {
  arn?: string | undefined;
  reason: string;
  detail?: string | undefined;
}

export interface HintInput {
  stopCode?: string | undefined;
  stoppedReason?: string | undefined;
  containers?: readonly HintContainer[] | undefined;
  /** RunTask/StartTask `failures`: tasks ECS could not place. */
  failures?: readonly HintFailure[] | undefined;
  /** False when the task went to STOPPED without ever running. */
  wasStarted?: boolean | undefined;
}

export { GENERIC_HINT_CODE };

const SIGNALS: ReadonlyMap<number, string> = new Map([
  [1, "SIGHUP"],
  [2, "SIGINT"],
  [3, "SIGQUIT"],
  [6, "SIGABRT"],
  [9, "SIGKILL"],
  [11, "SIGSEGV"],
  [15, "SIGTERM"],
]);

const fromEntry = (e: HintEntry): Hint => ({ code: e.code, cause: e.cause, check: e.check, doc: e.doc });

function exitCodeHint(container: string, exitCode: number): Hint {
  const { EXIT_CODE_HINTS, SIGNAL_EXIT_CODE, GENERIC_EXIT_CODE } = hintCatalogue();
  const prefix = `Container "${container}" exited with code ${exitCode}: `;
  const known = EXIT_CODE_HINTS.get(exitCode);
  if (known) return { code: `ExitCode.${exitCode}`, ...known, cause: prefix + known.cause };
  // 128+n is how shells and container runtimes report death by signal n.
  if (exitCode > 128 && exitCode < 160) {
    const n = exitCode - 128;
    const name = SIGNALS.get(n) ?? `signal ${n}`;
    return {
      code: "ExitCode.Signal",
      ...SIGNAL_EXIT_CODE,
      cause: `${prefix}${SIGNAL_EXIT_CODE.cause.replace(/\.$/, "")} (${name}).`,
    };
  }
  return { code: "ExitCode.NonZero", ...GENERIC_EXIT_CODE, cause: prefix + GENERIC_EXIT_CODE.cause };
}

/**
 * The most specific hint wins: a known message (container reason, stopped reason, failure text) first,
 * then a RunTask failure reason, then a stop code that names an outside cause (Spot, StopTask …),
 * then the first essential container's non-zero exit code, then the remaining stop codes.
 */
export function hintFor(input: HintInput): Hint {
  const rules = hintCatalogue();
  const containers = input.containers ?? [];
  const failures = input.failures ?? [];
  const messages = [
    ...containers.map((c) => c.reason),
    input.stoppedReason,
    ...failures.flatMap((f) => [f.reason, f.detail]),
  ].filter((m): m is string => typeof m === "string" && m.trim() !== "");

  for (const rule of rules.MESSAGE_RULES) {
    if (messages.some((m) => rule.pattern.test(m))) return fromEntry(rule);
  }
  for (const rule of rules.FAILURE_RULES) {
    if (failures.some((f) => rule.reason.test(f.reason.trim()))) return fromEntry(rule);
  }
  const external = rules.EXTERNAL_STOP_CODES.find((e) => e.code === input.stopCode);
  if (external) return fromEntry(external);

  const exited = containers.find(
    (c) => c.essential !== false && c.exitCode !== undefined && c.exitCode !== 0,
  );
  if (exited?.exitCode !== undefined) return exitCodeHint(exited.name, exited.exitCode);

  const outcome = rules.OUTCOME_STOP_CODES.find((e) => e.code === input.stopCode);
  if (outcome) return fromEntry(outcome);
  if (input.wasStarted === false) return fromEntry(rules.NEVER_STARTED);
  if (failures.length > 0) return fromEntry(rules.RUN_TASK_FAILURE);
  return fromEntry(rules.GENERIC_HINT);
}

const sentence = (s: string): string => {
  const t = s.trim();
  return /[.!?]$/.test(t) ? t : `${t}.`;
};

/** The run's `hint`: the cause, then what to check — two sentences. */
export const formatHint = (h: Hint): string => `${sentence(h.cause)} ${sentence(h.check)}`;
