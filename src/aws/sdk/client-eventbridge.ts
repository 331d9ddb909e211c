/** The part of @aws-sdk/client-eventbridge the Lambda code uses, for a dynamic `import()`: see ./client-sns.ts. */
export { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
