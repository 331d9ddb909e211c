/** Durations and instants as the dashboard prints them: short, UTC, no locale (the page is the same for all). */

/** "12.3 s", "4 min 5 s", "2 h 7 min"; "" for a negative or unknown span. */
export function formatSpan(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "";
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.floor((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "2026-03-10 12:00:05Z" from an ISO instant; "" when absent. */
export const formatInstant = (iso: string | undefined): string =>
  iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "";

/** Milliseconds from `from` to `to`, or undefined when either is missing or unreadable. */
export function spanOf(from: string | undefined, to: string | undefined): number | undefined {
  const a = Date.parse(from ?? "");
  const b = Date.parse(to ?? "");
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : b - a;
}
