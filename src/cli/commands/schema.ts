import type { Command } from "commander";
import { jobJsonSchemaText } from "../../spec/json-schema.ts";
import type { CliIo } from "../context.ts";

export function registerSchema(program: Command, io: CliIo): void {
  program
    .command("schema")
    .description("print the JSON Schema of a job spec")
    .action(() => io.stdout(jobJsonSchemaText()));
}
