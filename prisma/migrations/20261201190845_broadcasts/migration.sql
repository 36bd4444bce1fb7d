-- CreateEnum
CREATE TYPE "BroadcastStatus" AS ENUM ('PLANNED', 'STARTING', 'AIRING', 'AIRED', 'PARTIAL', 'FAILED', 'MISSED', 'PREEMPTED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "BroadcastKind" AS ENUM ('SLOT', 'EMERGENCY', 'TEST');

-- CreateEnum
CREATE TYPE "ClusterHealthState" AS ENUM ('UNKNOWN', 'ONLINE', 'OFFLINE');

-- CreateTable
CREATE TABLE "broadcast" (
    "id" UUID NOT NULL,
    "kind" "BroadcastKind" NOT NULL DEFAULT 'SLOT',
    "communeId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "slotId" UUID,
    "requestId" UUID,
    "scheduledAt" TIMESTAMPTZ(3) NOT NULL,
    "marketDay" VARCHAR(10),
    "priority" "BulletinPriority" NOT NULL,
    "status" "BroadcastStatus" NOT NULL DEFAULT 'PLANNED',
    "reasonCode" TEXT,
    "reason" TEXT,
    "plan" JSONB NOT NULL,
    "profileId" TEXT NOT NULL,
    "driverKind" "DriverKind" NOT NULL,
    "durationSec" DOUBLE PRECISION NOT NULL,
    "leaseToken" BIGINT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "startedAt" TIMESTAMPTZ(3),
    "firstAudioAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "skewMs" DOUBLE PRECISION,
    "spreadMs" DOUBLE PRECISION,
    "secondsAired" DOUBLE PRECISION,
    "receipt" JSONB,
    "triggeredById" UUID,
    "triggerReason" TEXT,
    "preemptedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cluster_health" (
    "clusterId" UUID NOT NULL,
    "state" "ClusterHealthState" NOT NULL DEFAULT 'UNKNOWN',
    "lastSeenAt" TIMESTAMPTZ(3),
    "detail" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cluster_health_pkey" PRIMARY KEY ("clusterId")
);

-- CreateTable
CREATE TABLE "cluster_lease" (
    "clusterId" UUID NOT NULL,
    "broadcastId" UUID NOT NULL,
    "priority" "BulletinPriority" NOT NULL,
    "token" BIGINT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "cluster_lease_pkey" PRIMARY KEY ("clusterId")
);

-- CreateIndex
CREATE INDEX "broadcast_scheduledAt_status_idx" ON "broadcast"("scheduledAt", "status");

-- CreateIndex
CREATE INDEX "broadcast_clusterId_scheduledAt_idx" ON "broadcast"("clusterId", "scheduledAt");

-- CreateIndex
CREATE INDEX "broadcast_communeId_scheduledAt_idx" ON "broadcast"("communeId", "scheduledAt");

-- CreateIndex
CREATE UNIQUE INDEX "broadcast_slotId_scheduledAt_clusterId_key" ON "broadcast"("slotId", "scheduledAt", "clusterId");

-- CreateIndex
CREATE UNIQUE INDEX "broadcast_requestId_clusterId_key" ON "broadcast"("requestId", "clusterId");

-- AddForeignKey
ALTER TABLE "broadcast" ADD CONSTRAINT "broadcast_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "cluster"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cluster_health" ADD CONSTRAINT "cluster_health_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cluster_lease" ADD CONSTRAINT "cluster_lease_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
