/**
 * How a run status looks on the dashboard: a CSS class for its colour and a short text label, so that a
 * status is never told by colour alone (colour-blind readers, screen readers, a printed page).
 */
import type { RunStatus } from "../../src/host/domain.ts";

export interface StatusLook {
  /** CSS class (assets/app.css): s-ok, s-bad … */
  cls: string;
  /** One or two letters drawn in the strip's cell. */
  mark: string;
  /** The words a screen reader and a tooltip get. */
  label: string;
}

const LOOKS: Record<RunStatus, StatusLook> = {
  PENDING: { cls: "s-pending", mark: "…", label: "pending" },
  RUNNING: { cls: "s-running", mark: "▶", label: "running" },
  SUCCEEDED: { cls: "s-ok", mark: "✓", label: "succeeded" },
  FAILED: { cls: "s-bad", mark: "✗", label: "failed" },
  TIMED_OUT: { cls: "s-bad", mark: "⏱", label: "timed out" },
  MISSED: { cls: "s-warn", mark: "M", label: "missed" },
  SKIPPED: { cls: "s-muted", mark: "S", label: "skipped" },
  CANCELLED: { cls: "s-muted", mark: "C", label: "cancelled" },
};

/** A status this build does not know (a newer ledger) still gets a neutral look with its own name. */
export const lookOf = (status: string): StatusLook =>
  LOOKS[status as RunStatus] ?? { cls: "s-muted", mark: "?", label: status.toLowerCase() };
