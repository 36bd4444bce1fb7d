-- CreateTable
CREATE TABLE "slot" (
    "id" UUID NOT NULL,
    "calendarId" UUID NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "timeOfDay" VARCHAR(5) NOT NULL,
    "durationSec" DOUBLE PRECISION NOT NULL,
    "durationGiven" BOOLEAN NOT NULL DEFAULT false,
    "priority" "BulletinPriority" NOT NULL DEFAULT 'NORMAL',
    "repeat" INTEGER NOT NULL DEFAULT 1,
    "repeatGapSec" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "order" INTEGER,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slot_cluster" (
    "slotId" UUID NOT NULL,
    "clusterId" UUID NOT NULL,

    CONSTRAINT "slot_cluster_pkey" PRIMARY KEY ("slotId","clusterId")
);

-- CreateTable
CREATE TABLE "slot_bulletin" (
    "slotId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "bulletinId" UUID NOT NULL,

    CONSTRAINT "slot_bulletin_pkey" PRIMARY KEY ("slotId","position")
);

-- CreateIndex
CREATE INDEX "slot_calendarId_idx" ON "slot"("calendarId");

-- CreateIndex
CREATE INDEX "slot_cluster_clusterId_idx" ON "slot_cluster"("clusterId");

-- CreateIndex
CREATE INDEX "slot_bulletin_bulletinId_idx" ON "slot_bulletin"("bulletinId");

-- AddForeignKey
ALTER TABLE "slot" ADD CONSTRAINT "slot_calendarId_fkey" FOREIGN KEY ("calendarId") REFERENCES "market_calendar"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot_cluster" ADD CONSTRAINT "slot_cluster_slotId_fkey" FOREIGN KEY ("slotId") REFERENCES "slot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot_cluster" ADD CONSTRAINT "slot_cluster_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "cluster"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot_bulletin" ADD CONSTRAINT "slot_bulletin_slotId_fkey" FOREIGN KEY ("slotId") REFERENCES "slot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slot_bulletin" ADD CONSTRAINT "slot_bulletin_bulletinId_fkey" FOREIGN KEY ("bulletinId") REFERENCES "bulletin"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
