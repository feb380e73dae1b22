import { z } from "zod";

/** Ids are uuids from the database or the demo's fixed id: anything else cannot exist (a 404, not a 400). */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a valid id");

/** Dates travel as ISO 8601 text. */
export const isoDate = z.iso.datetime();
