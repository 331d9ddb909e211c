/**
 * What a host that runs the product outside Lambda (the local stack) builds it from and drives it with:
 * the SDK clients on its endpoints, the catalogue from a jobs folder, the run ledger on its DynamoDB, the
 * RunTask pacer, the deps the handlers take, and the use cases a restart needs (reconcile the runs in
 * flight, fail the ones whose tasks are gone). The handlers themselves are imported from handlers/, and
 * the pure pieces from ./domain.ts. The one door into the product for local/: test/architecture.test.ts
 * refuses any other import of src/ from there, so what the local stack leans on stays visible here.
 */
export { redactSecrets } from "../alerts/redact.ts";
export type { WebhookDelivery } from "../alerts/webhook-options.ts";
export type { Deps } from "../app/deps.ts";
export { failRun } from "../app/fail-run.ts";
export { reconcileAllActive } from "../app/reconcile.ts";
export type { RetryTimer } from "../app/retry.ts";
export { type ClientConstructors, createClients } from "../aws/clients.ts";
export { loadValidJobs } from "../catalog/build.ts";
export { type Catalog, catalogOf } from "../catalog/catalog.ts";
export { loadJobsDir } from "../catalog/read-dir.ts";
export type { AppConfig } from "../config.ts";
export { EcsJobsError, formatSpecIssue, NotFoundError } from "../errors.ts";
export { createRunTaskPacer } from "../launch/runtask-pacer.ts";
export { createDynamoLedger, RUN_TABLE_DEFINITION } from "../ledger/dynamo.ts";
export type { RunLedger } from "../ledger/ledger.ts";
export type { Log } from "../log.ts";
