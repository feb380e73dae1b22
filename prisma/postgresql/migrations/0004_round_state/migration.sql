-- AlterTable
ALTER TABLE "TrainingRound" ADD COLUMN     "state" TEXT;

-- Data: the live round state moves from its 'round-state' Metric row into the column (newest row per round),
-- so a round running during the upgrade keeps its phase, label counts and resume count.
UPDATE "TrainingRound" SET "state" = (
    SELECT m."data" FROM "Metric" m
    WHERE m."roundId" = "TrainingRound"."id" AND m."kind" = 'round-state'
    ORDER BY m."createdAt" DESC, m."id" DESC
    LIMIT 1
);
DELETE FROM "Metric" WHERE "kind" = 'round-state';
