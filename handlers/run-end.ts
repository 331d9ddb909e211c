/**
 * What the Lambda handlers load when a run ends, behind their one `import()` (lambda-clients.ts): the run-end
 * steps and, for the status handler, whose ordinary batch calls no ECS, the ECS client's constructor.
 */
export { ECSClient } from "@aws-sdk/client-ecs";
export * from "../src/app/run-end-steps.ts";
