-- DropIndex
DROP INDEX "Pair_experimentId_status_priority_createdAt_idx";

-- CreateIndex
CREATE INDEX "Pair_experimentId_status_priority_createdAt_id_idx" ON "Pair"("experimentId", "status", "priority" DESC, "createdAt", "id");
