/**
 * The task sizes Fargate runs (ECS Developer Guide, "Troubleshoot Amazon ECS task definition invalid CPU or
 * memory errors"): for each task cpu (units), the memory values allowed (MiB). RegisterTaskDefinition refuses
 * any other pair for a definition that requires FARGATE.
 */
const GB = 1024;
const range = (from: number, to: number, step: number): number[] => {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v * GB);
  return out;
};

const FARGATE_MEMORY_BY_CPU: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1 * GB, 2 * GB]],
  [512, range(1, 4, 1)],
  [1024, range(2, 8, 1)],
  [2048, range(4, 16, 1)],
  [4096, range(8, 30, 1)],
  [8192, range(16, 60, 4)],
  [16384, range(32, 120, 8)],
]);

/** ECS's ClientException message for a refused pair, or undefined when Fargate runs it. */
export function fargateSizeProblem(cpu: string, memory: string): string | undefined {
  const allowed = FARGATE_MEMORY_BY_CPU.get(Number(cpu));
  if (!allowed) return "Invalid 'cpu' setting for task.";
  if (!allowed.includes(Number(memory))) return "No Fargate configuration exists for given values.";
  return undefined;
}
