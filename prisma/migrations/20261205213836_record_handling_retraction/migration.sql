-- CreateEnum
CREATE TYPE "HandlingCode" AS ENUM ('H0', 'H1', 'H2', 'H3');

-- CreateEnum
CREATE TYPE "SourceReliability" AS ENUM ('A', 'B', 'C', 'X');

-- AlterTable
ALTER TABLE "intercepted_fund" ADD COLUMN     "handling" "HandlingCode" NOT NULL DEFAULT 'H0',
ADD COLUMN     "handling_note" TEXT,
ADD COLUMN     "information_assessment" SMALLINT NOT NULL DEFAULT 4,
ADD COLUMN     "matchable" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "retraction_reason" TEXT,
ADD COLUMN     "source_reliability" "SourceReliability" NOT NULL DEFAULT 'X';

-- AlterTable
ALTER TABLE "scam_den" ADD COLUMN     "handling" "HandlingCode" NOT NULL DEFAULT 'H0',
ADD COLUMN     "handling_note" TEXT,
ADD COLUMN     "information_assessment" SMALLINT NOT NULL DEFAULT 4,
ADD COLUMN     "matchable" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "retraction_reason" TEXT,
ADD COLUMN     "source_reliability" "SourceReliability" NOT NULL DEFAULT 'X';

-- AlterTable
ALTER TABLE "suspect" ADD COLUMN     "handling" "HandlingCode" NOT NULL DEFAULT 'H0',
ADD COLUMN     "handling_note" TEXT,
ADD COLUMN     "information_assessment" SMALLINT NOT NULL DEFAULT 4,
ADD COLUMN     "matchable" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "retraction_reason" TEXT,
ADD COLUMN     "source_reliability" "SourceReliability" NOT NULL DEFAULT 'X';

-- The 4x4 evaluation's second half is 1..4, and H3 always says what its restrictions are.
ALTER TABLE "intercepted_fund" ADD CONSTRAINT "intercepted_fund_information_assessment_check" CHECK ("information_assessment" BETWEEN 1 AND 4),
ADD CONSTRAINT "intercepted_fund_handling_note_check" CHECK ("handling" <> 'H3' OR "handling_note" IS NOT NULL);

-- The 4x4 evaluation's second half is 1..4, and H3 always says what its restrictions are.
ALTER TABLE "scam_den" ADD CONSTRAINT "scam_den_information_assessment_check" CHECK ("information_assessment" BETWEEN 1 AND 4),
ADD CONSTRAINT "scam_den_handling_note_check" CHECK ("handling" <> 'H3' OR "handling_note" IS NOT NULL);

-- The 4x4 evaluation's second half is 1..4, and H3 always says what its restrictions are.
ALTER TABLE "suspect" ADD CONSTRAINT "suspect_information_assessment_check" CHECK ("information_assessment" BETWEEN 1 AND 4),
ADD CONSTRAINT "suspect_handling_note_check" CHECK ("handling" <> 'H3' OR "handling_note" IS NOT NULL);

-- A replay must be of the same request, defaults included.
ALTER TABLE "submission" ADD COLUMN     "defaults" TEXT NOT NULL DEFAULT '';

-- Matching looks selectors up by hash alone (the (type, hash) index leads with the type).
CREATE INDEX "selector_hash_idx" ON "selector"("hash");
