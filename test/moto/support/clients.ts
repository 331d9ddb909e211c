/** The handlers' AWS clients as lambdaDeps builds them in Lambda, with every endpoint at moto. */
import { RUN_ACTION_CLIENTS } from "../../../handlers/run-action-clients.ts";
import { type AwsClients, createClients, type ServiceName } from "../../../src/aws/clients.ts";
import { MOTO_REGION, type Moto } from "./moto.ts";

const SERVICES: ServiceName[] = ["ecs", "dynamodb", "scheduler", "eventbridge", "sns", "logs"];

export function motoClients(moto: Moto, options: { maxAttempts?: number } = {}): AwsClients {
  return createClients(RUN_ACTION_CLIENTS, {
    region: MOTO_REGION,
    endpoints: Object.fromEntries(SERVICES.map((s) => [s, moto.url])),
    credentials: moto.client.credentials,
    ...options,
  });
}
