-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "openPairs" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "LabellerCount" (
    "experimentId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "labels" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "LabellerCount_pkey" PRIMARY KEY ("experimentId","userId")
);

-- AddForeignKey
ALTER TABLE "LabellerCount" ADD CONSTRAINT "LabellerCount_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabellerCount" ADD CONSTRAINT "LabellerCount_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill the counters from what is stored (lib/server/labelling/counters.ts keeps them from now on).
UPDATE "Experiment" SET "openPairs" = (SELECT COUNT(*) FROM "Pair" p WHERE p."experimentId" = "Experiment"."id" AND p."status" = 'open');
INSERT INTO "LabellerCount" ("experimentId", "userId", "labels")
SELECT p."experimentId", l."userId", COUNT(*) FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId"
WHERE l."userId" IS NOT NULL AND l."choice" <> 'skip'
GROUP BY p."experimentId", l."userId";
