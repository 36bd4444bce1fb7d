-- CreateEnum
CREATE TYPE "BulletinPriority" AS ENUM ('NORMAL', 'PRIORITY', 'EMERGENCY');

-- CreateEnum
CREATE TYPE "BulletinStatus" AS ENUM ('DRAFT', 'UPLOADED', 'PROCESSING', 'READY', 'FAILED');

-- CreateEnum
CREATE TYPE "TrackSource" AS ENUM ('UPLOAD', 'RECORDING', 'TTS');

-- CreateTable
CREATE TABLE "bulletin" (
    "id" UUID NOT NULL,
    "communeId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "programme" TEXT NOT NULL DEFAULT '',
    "priority" "BulletinPriority" NOT NULL DEFAULT 'NORMAL',
    "validFrom" TIMESTAMPTZ(3),
    "validUntil" TIMESTAMPTZ(3),
    "status" "BulletinStatus" NOT NULL DEFAULT 'DRAFT',
    "failureReason" TEXT,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "revision" INTEGER NOT NULL DEFAULT 0,
    "authorId" UUID NOT NULL,
    "approvedById" UUID,
    "approvedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "bulletin_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "media_file" (
    "sha256" TEXT NOT NULL,
    "bytes" BIGINT NOT NULL,
    "formatName" TEXT NOT NULL,
    "codec" TEXT NOT NULL,
    "sampleRate" INTEGER NOT NULL,
    "channels" INTEGER NOT NULL,
    "durationSec" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "media_file_pkey" PRIMARY KEY ("sha256")
);

-- CreateTable
CREATE TABLE "bulletin_track" (
    "id" UUID NOT NULL,
    "bulletinId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "language" VARCHAR(3) NOT NULL,
    "sourceSha256" TEXT NOT NULL,
    "source" "TrackSource" NOT NULL DEFAULT 'UPLOAD',
    "originalName" TEXT NOT NULL DEFAULT '',
    "ttsText" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bulletin_track_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rendition" (
    "id" UUID NOT NULL,
    "bulletinId" UUID NOT NULL,
    "revision" INTEGER NOT NULL,
    "language" VARCHAR(3),
    "profileId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "codec" TEXT NOT NULL,
    "sampleRate" INTEGER NOT NULL,
    "channels" INTEGER NOT NULL,
    "bytes" BIGINT NOT NULL,
    "sha256" TEXT NOT NULL,
    "durationSec" DOUBLE PRECISION NOT NULL,
    "integratedLufs" DOUBLE PRECISION NOT NULL,
    "truePeakDbtp" DOUBLE PRECISION NOT NULL,
    "peaks" JSONB NOT NULL DEFAULT '[]',
    "segments" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rendition_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "bulletin_communeId_status_idx" ON "bulletin"("communeId", "status");

-- CreateIndex
CREATE INDEX "bulletin_track_bulletinId_position_idx" ON "bulletin_track"("bulletinId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "bulletin_track_bulletinId_language_key" ON "bulletin_track"("bulletinId", "language");

-- CreateIndex
CREATE INDEX "rendition_bulletinId_revision_idx" ON "rendition"("bulletinId", "revision");

-- AddForeignKey
ALTER TABLE "bulletin" ADD CONSTRAINT "bulletin_communeId_fkey" FOREIGN KEY ("communeId") REFERENCES "commune"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bulletin_track" ADD CONSTRAINT "bulletin_track_bulletinId_fkey" FOREIGN KEY ("bulletinId") REFERENCES "bulletin"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bulletin_track" ADD CONSTRAINT "bulletin_track_sourceSha256_fkey" FOREIGN KEY ("sourceSha256") REFERENCES "media_file"("sha256") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bulletin_track" ADD CONSTRAINT "bulletin_track_language_fkey" FOREIGN KEY ("language") REFERENCES "language"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rendition" ADD CONSTRAINT "rendition_bulletinId_fkey" FOREIGN KEY ("bulletinId") REFERENCES "bulletin"("id") ON DELETE CASCADE ON UPDATE CASCADE;
