/**
 * The ECS client for a dynamic `import()` of this file (see handlers/lambda-clients.ts, STATUS_CLIENTS): the
 * status handler calls ECS only to launch a retry, so it loads the client then. Importing the package itself
 * that way would put the whole package in a bundle, as esbuild cannot tree-shake a namespace it hands out at
 * run time.
 */
export { ECSClient } from "@aws-sdk/client-ecs";
