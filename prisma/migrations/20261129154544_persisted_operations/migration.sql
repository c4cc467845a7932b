-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "persisted_only" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "persisted_operation" (
    "hash" VARCHAR(128) NOT NULL,
    "document" TEXT NOT NULL,
    "name" TEXT,
    "agency_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "persisted_operation_pkey" PRIMARY KEY ("hash")
);

-- CreateIndex
CREATE INDEX "persisted_operation_agency_id_idx" ON "persisted_operation"("agency_id");
