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
-- AlterTable
ALTER TABLE "User" DROP COLUMN "sessionVersion";

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthThrottle" (
    "key" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "blockedUntil" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuthThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
