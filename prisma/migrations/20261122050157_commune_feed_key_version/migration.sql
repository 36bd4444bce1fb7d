-- AlterTable
ALTER TABLE "commune" ADD COLUMN     "feedKeyVersion" INTEGER NOT NULL DEFAULT 1;
