-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('labeler', 'researcher', 'admin');

-- CreateEnum
CREATE TYPE "LabellingMode" AS ENUM ('human', 'synthetic', 'mixed');

-- CreateEnum
CREATE TYPE "ExperimentStatus" AS ENUM ('draft', 'active', 'archived');

-- CreateEnum
CREATE TYPE "PairStatus" AS ENUM ('open', 'done', 'retired');

-- CreateEnum
CREATE TYPE "LabelSource" AS ENUM ('human', 'synthetic');

-- CreateEnum
CREATE TYPE "Choice" AS ENUM ('left', 'right', 'equal', 'skip');

-- CreateEnum
CREATE TYPE "RoundStatus" AS ENUM ('queued', 'running', 'done', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'labeler',
    "passwordHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Experiment" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "labellingMode" "LabellingMode" NOT NULL DEFAULT 'human',
    "labelsPerPair" INTEGER NOT NULL DEFAULT 1,
    "status" "ExperimentStatus" NOT NULL DEFAULT 'draft',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Trajectory" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "round" INTEGER NOT NULL,
    "policyVersion" INTEGER NOT NULL,
    "actions" BYTEA NOT NULL,
    "cells" BYTEA NOT NULL,
    "rewards" BYTEA NOT NULL,
    "return" DOUBLE PRECISION NOT NULL,
    "length" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Trajectory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Pair" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "leftId" TEXT NOT NULL,
    "rightId" TEXT NOT NULL,
    "selection" TEXT NOT NULL,
    "priority" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "status" "PairStatus" NOT NULL DEFAULT 'open',
    "labelsWanted" INTEGER NOT NULL DEFAULT 1,
    "labelsDone" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Pair_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Lease" (
    "id" TEXT NOT NULL,
    "pairId" TEXT NOT NULL,
    "slot" INTEGER NOT NULL,
    "userId" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "labelId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Label" (
    "id" TEXT NOT NULL,
    "pairId" TEXT NOT NULL,
    "source" "LabelSource" NOT NULL,
    "userId" TEXT,
    "teacher" TEXT,
    "choice" "Choice" NOT NULL,
    "responseMs" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Label_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TrainingRound" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "status" "RoundStatus" NOT NULL DEFAULT 'queued',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "episodesDone" INTEGER NOT NULL DEFAULT 0,
    "episodesTotal" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "error" TEXT,
    "heartbeatAt" TIMESTAMP(3),
    "workerId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "TrainingRound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "roundId" TEXT,
    "policyWeights" BYTEA NOT NULL,
    "rewardWeights" BYTEA NOT NULL,
    "meta" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Metric" (
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "roundId" TEXT,
    "episode" INTEGER,
    "kind" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Metric_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_name_key" ON "User"("name");

-- CreateIndex
CREATE INDEX "Trajectory_experimentId_round_idx" ON "Trajectory"("experimentId", "round");

-- CreateIndex
CREATE INDEX "Pair_experimentId_status_priority_createdAt_idx" ON "Pair"("experimentId", "status", "priority" DESC, "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Lease_labelId_key" ON "Lease"("labelId");

-- CreateIndex
CREATE INDEX "Lease_userId_expiresAt_idx" ON "Lease"("userId", "expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "Lease_pairId_slot_key" ON "Lease"("pairId", "slot");

-- CreateIndex
CREATE UNIQUE INDEX "Lease_pairId_userId_key" ON "Lease"("pairId", "userId");

-- CreateIndex
CREATE INDEX "Label_pairId_userId_idx" ON "Label"("pairId", "userId");

-- CreateIndex
CREATE INDEX "Label_userId_idx" ON "Label"("userId");

-- CreateIndex
CREATE INDEX "TrainingRound_status_idx" ON "TrainingRound"("status");

-- CreateIndex
CREATE UNIQUE INDEX "TrainingRound_experimentId_index_key" ON "TrainingRound"("experimentId", "index");

-- CreateIndex
CREATE INDEX "Checkpoint_experimentId_createdAt_idx" ON "Checkpoint"("experimentId", "createdAt");

-- CreateIndex
CREATE INDEX "Metric_experimentId_kind_createdAt_idx" ON "Metric"("experimentId", "kind", "createdAt");

-- CreateIndex
CREATE INDEX "Metric_roundId_idx" ON "Metric"("roundId");

-- AddForeignKey
ALTER TABLE "Trajectory" ADD CONSTRAINT "Trajectory_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pair" ADD CONSTRAINT "Pair_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pair" ADD CONSTRAINT "Pair_leftId_fkey" FOREIGN KEY ("leftId") REFERENCES "Trajectory"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Pair" ADD CONSTRAINT "Pair_rightId_fkey" FOREIGN KEY ("rightId") REFERENCES "Trajectory"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_pairId_fkey" FOREIGN KEY ("pairId") REFERENCES "Pair"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Lease" ADD CONSTRAINT "Lease_labelId_fkey" FOREIGN KEY ("labelId") REFERENCES "Label"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Label" ADD CONSTRAINT "Label_pairId_fkey" FOREIGN KEY ("pairId") REFERENCES "Pair"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Label" ADD CONSTRAINT "Label_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TrainingRound" ADD CONSTRAINT "TrainingRound_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Checkpoint" ADD CONSTRAINT "Checkpoint_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "TrainingRound"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Metric" ADD CONSTRAINT "Metric_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Metric" ADD CONSTRAINT "Metric_roundId_fkey" FOREIGN KEY ("roundId") REFERENCES "TrainingRound"("id") ON DELETE CASCADE ON UPDATE CASCADE;
