/**
 * Ctrl+C while following a run (`logs --follow`, `run --wait`): stop following, never the run. The first
 * SIGINT aborts the follower and says how to stop the run for real; the default handler (exit) is back
 * once following ends.
 */
import type { CliIo } from "./context.ts";

export function stopFollowingOnInterrupt(
  io: CliIo,
  runId: string,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) return;
    io.stderr(`\nstopped following; run ${runId} goes on (stop it with \`ecs-jobs stop ${runId}\`)\n`);
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", onSignal) };
}
