/**
 * What only a run's end (or a launch through a launcher role) runs, in one module so that a bundle puts it in
 * one chunk behind one `import()` (run-end.ts): the retry, the alert with its log lines, changes since the
 * last success and webhook, the pause check, the SLOW alert, and the launcher roles' credentials. An ordinary
 * invocation (a launch that succeeds, a batch of events that ends no run, a sweep that finds nothing) never
 * loads it. BENCHMARKS.md, cold start, has the measurement.
 */
export { deliverAlert } from "../alerts/deliver.ts";
export { launchersFromEnv } from "../launch/launcher-credentials.ts";
export { onRetryDue, onRunFinal, settleLaunched } from "./on-run-final.ts";
