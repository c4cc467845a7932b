-- AlterTable
ALTER TABLE "agency_key" ADD COLUMN     "removed_at" TIMESTAMPTZ(3);
