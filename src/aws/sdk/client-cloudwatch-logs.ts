/** The part of @aws-sdk/client-cloudwatch-logs the Lambda code uses, for a dynamic `import()`: see ./client-sns.ts. */
export {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
