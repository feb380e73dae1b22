-- CreateTable
CREATE TABLE "LabellerCount" (
    "experimentId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "labels" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("experimentId", "userId"),
    CONSTRAINT "LabellerCount_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "LabellerCount_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Experiment" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "labellingMode" TEXT NOT NULL DEFAULT 'human',
    "labelsPerPair" INTEGER NOT NULL DEFAULT 1,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdById" TEXT,
    "openPairs" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Experiment_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Experiment" ("config", "createdAt", "createdById", "id", "labellingMode", "labelsPerPair", "name", "status") SELECT "config", "createdAt", "createdById", "id", "labellingMode", "labelsPerPair", "name", "status" FROM "Experiment";
DROP TABLE "Experiment";
ALTER TABLE "new_Experiment" RENAME TO "Experiment";
CREATE INDEX "Experiment_createdById_createdAt_idx" ON "Experiment"("createdById", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- Backfill the counters from what is stored (lib/server/labelling/counters.ts keeps them from now on).
UPDATE "Experiment" SET "openPairs" = (SELECT COUNT(*) FROM "Pair" p WHERE p."experimentId" = "Experiment"."id" AND p."status" = 'open');
INSERT INTO "LabellerCount" ("experimentId", "userId", "labels")
SELECT p."experimentId", l."userId", COUNT(*) FROM "Label" l JOIN "Pair" p ON p."id" = l."pairId"
WHERE l."userId" IS NOT NULL AND l."choice" <> 'skip'
GROUP BY p."experimentId", l."userId";
