/** Turning zod issues into messages a person can act on: what was expected, what was found, what was meant. */
import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "object") return "a map";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/** "did you mean" only when the guess is close enough to be a typo. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return "";
  const best = closest(word, candidates as string[]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? ` (did you mean "${best}"?)` : "";
}

function got(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "too_small":
    case "too_big":
      if (Array.isArray(input)) return `, got ${input.length}`;
      if (typeof input === "string") return `, got ${input.length}`;
      if (input && typeof input === "object") return `, got ${Object.keys(input).length}`;
      return `, got ${describeValue(input)}`;
    default:
      return input === undefined ? "" : `, got ${describeValue(input)}`;
  }
}

const TYPE_NAMES: Record<string, string> = {
  object: "a map",
  array: "a list",
  string: "a string",
  number: "a number",
};

/** The message of one zod issue (unknown keys are handled by the caller, which knows where they stand). */
export function issueMessage(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "invalid_type" && input === undefined) return "required";
  // A record key that fails its own schema: the key's issue says what was expected.
  if (issue.code === "invalid_key" && issue.issues[0])
    return issueMessage({ ...issue.issues[0], input } as z.core.$ZodIssue);
  if (issue.code === "invalid_value") {
    const values = issue.values.map(String);
    const hint = typeof input === "string" ? didYouMean(input, values) : "";
    return `expected one of ${values.join(" | ")}${got(issue)}${hint}`;
  }
  if (issue.code === "custom") return issue.message;
  if (issue.code === "invalid_type" && !issue.message.startsWith("expected")) {
    // zod's own wording ("Invalid input: expected object, received number"): say it in spec terms.
    return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}${got(issue)}`;
  }
  const base = issue.message.startsWith("expected") ? issue.message : `expected ${issue.message}`;
  return `${base}${got(issue)}`;
}
