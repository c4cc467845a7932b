-- CreateEnum
CREATE TYPE "DisclosureState" AS ENUM ('PENDING', 'APPROVED', 'DENIED', 'REVOKED');

-- CreateTable
CREATE TABLE "disclosure_request" (
    "id" UUID NOT NULL,
    "hit_ref_hash" CHAR(64) NOT NULL,
    "requester_id" UUID NOT NULL,
    "requested_by" TEXT NOT NULL,
    "owner_id" UUID NOT NULL,
    "kind" "RecordKind" NOT NULL,
    "record_id" UUID NOT NULL,
    "justification" TEXT NOT NULL,
    "legal_basis" TEXT NOT NULL,
    "status" "DisclosureState" NOT NULL DEFAULT 'PENDING',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "decided_at" TIMESTAMPTZ(3),
    "decided_by" TEXT,
    "decision_reason" TEXT,
    "overdue_raised_at" TIMESTAMPTZ(3),

    CONSTRAINT "disclosure_request_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "record_grant" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "grantee_id" UUID NOT NULL,
    "scam_den_id" UUID,
    "suspect_id" UUID,
    "intercepted_fund_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "record_grant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "disclosure_request_hit_ref_hash_key" ON "disclosure_request"("hit_ref_hash");

-- CreateIndex
CREATE INDEX "disclosure_request_owner_id_created_at_idx" ON "disclosure_request"("owner_id", "created_at");

-- CreateIndex
CREATE INDEX "disclosure_request_requester_id_created_at_idx" ON "disclosure_request"("requester_id", "created_at");

-- CreateIndex
CREATE INDEX "disclosure_request_status_due_at_idx" ON "disclosure_request"("status", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "record_grant_request_id_key" ON "record_grant"("request_id");

-- CreateIndex
CREATE INDEX "record_grant_grantee_id_suspect_id_idx" ON "record_grant"("grantee_id", "suspect_id");

-- CreateIndex
CREATE INDEX "record_grant_grantee_id_intercepted_fund_id_idx" ON "record_grant"("grantee_id", "intercepted_fund_id");

-- CreateIndex
CREATE INDEX "record_grant_grantee_id_scam_den_id_idx" ON "record_grant"("grantee_id", "scam_den_id");

-- AddForeignKey
ALTER TABLE "record_grant" ADD CONSTRAINT "record_grant_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "disclosure_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "record_grant" ADD CONSTRAINT "record_grant_scam_den_id_fkey" FOREIGN KEY ("scam_den_id") REFERENCES "scam_den"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "record_grant" ADD CONSTRAINT "record_grant_suspect_id_fkey" FOREIGN KEY ("suspect_id") REFERENCES "suspect"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "record_grant" ADD CONSTRAINT "record_grant_intercepted_fund_id_fkey" FOREIGN KEY ("intercepted_fund_id") REFERENCES "intercepted_fund"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A grant names exactly one record (Prisma cannot say this).
ALTER TABLE "record_grant" ADD CONSTRAINT "record_grant_one_record" CHECK (num_nonnulls("scam_den_id", "suspect_id", "intercepted_fund_id") = 1);
