import type { Command } from "commander";
import type { CliIo } from "../context.ts";

export function registerSchema(program: Command, io: CliIo): void {
  program
    .command("schema")
    .description("print the JSON Schema of a job spec")
    .action(async () => {
      const { jobJsonSchemaText } = await import("../../jobspec/json-schema.ts");
      io.stdout(jobJsonSchemaText());
    });
}
