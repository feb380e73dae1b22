-- User names become trimmed and lower case (sign-in, invites and imports normalise them the same way).
-- Names that differ only by case or spaces ("Admin", "admin", " admin"): the oldest account keeps the plain
-- name, and each younger one becomes NAME-XXXXXX (the last 6 characters of its id) and keeps its password,
-- role and labels, so no account is merged or lost. An admin sees the new names in /admin/users.
UPDATE "User" SET "name" = lower(trim("name")) || '-' || substr("id", length("id") - 5)
WHERE EXISTS (
    SELECT 1 FROM "User" AS "older"
    WHERE lower(trim("older"."name")) = lower(trim("User"."name"))
      AND ("older"."createdAt" < "User"."createdAt" OR ("older"."createdAt" = "User"."createdAt" AND "older"."id" < "User"."id"))
);
UPDATE "User" SET "name" = lower(trim("name")) WHERE "name" <> lower(trim("name"));

-- Sessions are rows now (table Session) and the per-account counter goes: every old cookie ends here.
-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuthThrottle" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "blockedUntil" DATETIME,
    "lastFailureAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'labeler',
    "passwordHash" TEXT,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "lastSignInAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_User" ("createdAt", "disabled", "id", "lastSignInAt", "name", "passwordHash", "role") SELECT "createdAt", "disabled", "id", "lastSignInAt", "name", "passwordHash", "role" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_name_key" ON "User"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");
