/** `ecs-jobs schema`: the JSON Schema of a job spec, which editors validate specs against as they are typed. */
import { defineCommand } from "./define-command.ts";

export const registerSchema = defineCommand({
  name: "schema",
  description: "print the JSON Schema of a job spec",
  action: async ({ io }) => {
    const { jobJsonSchemaText } = await import("../../jobspec/json-schema.ts");
    io.stdout(jobJsonSchemaText());
  },
});
