// The contract's words are the database's: each list equals the values of the Prisma enum of the same meaning
// (read from the generated client, so a schema change that forgets the contract fails here).
import { describe, expect, it } from "vitest";
import * as sqlite from "@/generated/sqlite/enums";
import * as postgresql from "@/generated/postgresql/enums";
import { CHOICES, EXPERIMENT_STATUSES, LABEL_SOURCES, LABELLING_MODES, PAIR_STATUSES, ROLES, ROUND_STATUSES } from "@/lib/contracts/words";

const PAIRS = [
  ["Role", ROLES],
  ["LabellingMode", LABELLING_MODES],
  ["ExperimentStatus", EXPERIMENT_STATUSES],
  ["PairStatus", PAIR_STATUSES],
  ["LabelSource", LABEL_SOURCES],
  ["Choice", CHOICES],
  ["RoundStatus", ROUND_STATUSES],
] as const;

describe("contract words equal the Prisma enums", () => {
  for (const [name, words] of PAIRS) {
    it(name, () => {
      expect(Object.values(sqlite[name])).toEqual([...words]);
      expect(Object.values(postgresql[name])).toEqual([...words]);
    });
  }
  it("every Prisma enum has its contract list", () => {
    expect(Object.keys(sqlite).sort()).toEqual(PAIRS.map(([name]) => name).sort());
  });
});
