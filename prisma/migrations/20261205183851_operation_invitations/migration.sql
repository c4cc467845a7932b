-- Operation codes are unique per lead agency, not globally: a partner creating an operation
-- must not learn that another agency's hidden operation uses the same code.
DROP INDEX "operation_code_key";

-- Covered by the unique (lead_id, code) index below.
DROP INDEX "operation_lead_id_idx";

-- Invitations: a participant row with joined_at NULL is an invitation not yet accepted.
ALTER TABLE "operation_participant" ADD COLUMN     "invited_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ALTER COLUMN "joined_at" DROP NOT NULL;

-- Data: every existing participant stays accepted (its joined_at is kept) and counts as
-- invited when it joined.
UPDATE "operation_participant" SET "invited_at" = "joined_at";

-- CreateIndex
CREATE INDEX "operation_code_idx" ON "operation"("code");

-- CreateIndex
CREATE UNIQUE INDEX "operation_lead_id_code_key" ON "operation"("lead_id", "code");
