// What every refused API request answers: { error: { code, message, details? } }, with the offending fields
// in details.fields for VALIDATION (and MALFORMED_JSON) so a form can show each message beside its field.
import { z } from "zod";

export const fieldErrorSchema = z.strictObject({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const errorBodySchema = z.strictObject({
  error: z.object({ code: z.string().regex(/^[A-Z_]+$/), message: z.string(), details: z.unknown().optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
