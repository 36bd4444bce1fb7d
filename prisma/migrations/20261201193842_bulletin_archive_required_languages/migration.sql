-- AlterTable
ALTER TABLE "bulletin" ADD COLUMN     "archivedAt" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "commune" ADD COLUMN     "requiredLanguages" TEXT[] DEFAULT ARRAY['vie']::TEXT[];

-- A commune that does not speak Vietnamese requires no language until an admin says which.
UPDATE "commune" SET "requiredLanguages" = ARRAY[]::TEXT[] WHERE NOT ('vie' = ANY("languages"));
