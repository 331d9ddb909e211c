/** What the ECS service needs from outside: the ECS client and a log. Nothing else of the process's wiring. */
import type { AwsClients } from "../aws/clients.ts";
import type { Log } from "../log.ts";

export interface EcsPort {
  clients: Pick<AwsClients, "ecs">;
  log: Log;
}
