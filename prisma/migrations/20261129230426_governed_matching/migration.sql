-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "match_quota_per_day" INTEGER;

-- CreateTable
CREATE TABLE "match_hit" (
    "ref_hash" CHAR(64) NOT NULL,
    "requester_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "kind" "RecordKind" NOT NULL,
    "record_id" UUID NOT NULL,
    "purpose" TEXT NOT NULL,
    "case_ref" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "match_hit_pkey" PRIMARY KEY ("ref_hash")
);

-- CreateTable
CREATE TABLE "match_quota_usage" (
    "agency_id" UUID NOT NULL,
    "day" DATE NOT NULL,
    "used" INTEGER NOT NULL,

    CONSTRAINT "match_quota_usage_pkey" PRIMARY KEY ("agency_id","day")
);

-- CreateTable
CREATE TABLE "agency_event" (
    "id" BIGSERIAL NOT NULL,
    "agency_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agency_event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "match_hit_requester_id_created_at_idx" ON "match_hit"("requester_id", "created_at");

-- CreateIndex
CREATE INDEX "match_hit_kind_record_id_idx" ON "match_hit"("kind", "record_id");

-- CreateIndex
CREATE INDEX "agency_event_agency_id_id_idx" ON "agency_event"("agency_id", "id");
