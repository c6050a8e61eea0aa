import { z } from "zod";

/** A zod schema as the JSON Schema of a function's parameters for Gemini (`parametersJsonSchema`), without `$schema`. */
export function functionParameters(schema: z.ZodType): Record<string, unknown> {
  const json: Record<string, unknown> = { ...z.toJSONSchema(schema, { io: "input" }) };
  delete json.$schema;
  return json;
}
