/**
 * The part of @aws-sdk/client-sns the Lambda code uses, for a dynamic `import()` of this file (see
 * handlers/lambda-clients.ts): importing the package itself that way would put the whole package in a
 * bundle, as esbuild cannot tree-shake a namespace it hands out at run time.
 */
export { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
