/**
 * The AWS API calls the Lambda code can make, read from the source: every `new XxxCommand(` in the modules
 * handlers reach (src/ without the CLI and the local stack), as IAM actions. Independent of deploy/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const IAM_PREFIX: Record<string, string> = {
  "client-ecs": "ecs",
  "client-dynamodb": "dynamodb",
  "lib-dynamodb": "dynamodb",
  "client-scheduler": "scheduler",
  "client-eventbridge": "events",
  "client-sns": "sns",
  "client-cloudwatch-logs": "logs",
  "client-sqs": "sqs",
  "client-ssm": "ssm",
  "client-secrets-manager": "secretsmanager",
  "client-sts": "sts",
};

/** lib-dynamodb's document commands are the table operations of the same name with Item. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  Query: "Query",
  Scan: "Scan",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactWrite: "TransactWriteItems",
  TransactGet: "TransactGetItems",
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

export function lambdaSdkActions(root: string): Set<string> {
  const excluded = [join(root, "src", "cli")];
  const actions = new Set<string>();
  for (const file of tsFiles(join(root, "src")).filter((f) => !excluded.some((d) => f.startsWith(d)))) {
    const text = readFileSync(file, "utf8");
    const packageOf = new Map<string, string>();
    // Static imports, and the lazy `const { … } = await import("@aws-sdk/…")` of rarely used clients, or of
    // src/aws/sdk/client-….ts, which re-exports the part of that package the Lambda code uses.
    for (const m of text.matchAll(
      /(?:import\s*\{([^}]*)\}\s*from\s*|const\s*\{([^}]*)\}\s*=\s*await\s+import\(\s*)"(?:@aws-sdk\/|(?:\.\.?\/)+aws\/sdk\/)([a-z-]+?)(?:\.ts)?"/g,
    )) {
      for (const name of (m[1] ?? m[2] ?? "").split(",")) {
        const clean = name.replace(/^\s*type\s+/, "").trim();
        if (clean) packageOf.set(clean, m[3] ?? "");
      }
    }
    // Calls made without a client (src/aws/json-api.ts): their X-Amz-Target names the action.
    const JSON_API: Record<string, string> = {
      AmazonSSM: "ssm",
      secretsmanager: "secretsmanager",
      AmazonSQS: "sqs",
    };
    for (const m of text.matchAll(/target:\s*"(AmazonSSM|secretsmanager|AmazonSQS)\.(\w+)"/g))
      actions.add(`${JSON_API[m[1] ?? ""]}:${m[2]}`);
    for (const m of text.matchAll(/new\s+(\w+)Command\(/g)) {
      const op = m[1] ?? "";
      const pkg = packageOf.get(`${op}Command`);
      if (!pkg) throw new Error(`${file}: ${op}Command is not imported from an @aws-sdk package`);
      const prefix = IAM_PREFIX[pkg];
      if (!prefix) throw new Error(`${file}: no IAM prefix known for @aws-sdk/${pkg}`);
      actions.add(`${prefix}:${pkg === "lib-dynamodb" ? (DOCUMENT_COMMANDS[op] ?? op) : op}`);
    }
  }
  return actions;
}
