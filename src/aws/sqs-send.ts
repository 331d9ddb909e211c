/** SendMessage with a delay, in a module of its own so that only the code that delays a retry loads SQS. */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";

export function sqsSender(region: string) {
  const client = new SQSClient({ region });
  return (queueUrl: string, delaySeconds: number, body: string) =>
    client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, DelaySeconds: delaySeconds }),
    );
}
