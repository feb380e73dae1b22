-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "createdById" TEXT;

-- CreateIndex
CREATE INDEX "Experiment_createdById_createdAt_idx" ON "Experiment"("createdById", "createdAt");

-- AddForeignKey
ALTER TABLE "Experiment" ADD CONSTRAINT "Experiment_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
