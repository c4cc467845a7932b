-- CreateEnum
CREATE TYPE "SharingLevel" AS ENUM ('CLEAR', 'GREEN', 'AMBER', 'RED');

-- CreateEnum
CREATE TYPE "AgencyStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "OperationStatus" AS ENUM ('PLANNED', 'ACTIVE', 'CLOSED');

-- CreateEnum
CREATE TYPE "DenType" AS ENUM ('CALL_CENTRE', 'INVESTMENT_ROMANCE', 'BRUSHING_TASK', 'LOAN', 'SEXTORTION', 'IMPERSONATION', 'MONEY_LAUNDERING', 'OTHER');

-- CreateEnum
CREATE TYPE "DenStatus" AS ENUM ('SUSPECTED', 'ACTIVE', 'RAIDED', 'DISMANTLED');

-- CreateEnum
CREATE TYPE "Sex" AS ENUM ('F', 'M', 'X', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "SuspectRole" AS ENUM ('ORGANIZER', 'CORE_MEMBER', 'MEMBER', 'MONEY_MULE', 'RECRUITER', 'FACILITATOR', 'UNKNOWN');

-- CreateEnum
CREATE TYPE "SuspectStatus" AS ENUM ('WANTED', 'ARRESTED', 'SURRENDERED', 'CHARGED', 'CONVICTED', 'RELEASED', 'REPATRIATED');

-- CreateEnum
CREATE TYPE "FundChannel" AS ENUM ('BANK_TRANSFER', 'THIRD_PARTY_PAYMENT', 'SCORE_RUNNING', 'CRYPTO', 'CASH', 'TRADE_HEDGING', 'OTHER');

-- CreateEnum
CREATE TYPE "FundAction" AS ENUM ('STOP_PAYMENT', 'FROZEN', 'SEIZED', 'RETURNED');

-- CreateEnum
CREATE TYPE "SelectorType" AS ENUM ('PASSPORT', 'NATIONAL_ID', 'PHONE', 'EMAIL', 'MESSENGER', 'BANK_ACCOUNT', 'CRYPTO_WALLET', 'DEVICE_IMEI', 'NAME_DOB');

-- CreateEnum
CREATE TYPE "SubmissionMode" AS ENUM ('ATOMIC', 'PARTIAL');

-- CreateEnum
CREATE TYPE "SubmissionStatus" AS ENUM ('PROCESSING', 'ACCEPTED', 'REJECTED', 'FAILED');

-- CreateEnum
CREATE TYPE "RecordKind" AS ENUM ('SCAM_DEN', 'SUSPECT', 'INTERCEPTED_FUND');

-- CreateTable
CREATE TABLE "agency" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    "status" "AgencyStatus" NOT NULL DEFAULT 'ACTIVE',
    "jwks_uri" TEXT,
    "scopes" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "agency_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "agency_key" (
    "id" UUID NOT NULL,
    "agency_id" UUID NOT NULL,
    "kid" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "jwk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agency_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operation" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "lead_id" UUID NOT NULL,
    "starts_on" DATE,
    "ends_on" DATE,
    "status" "OperationStatus" NOT NULL DEFAULT 'ACTIVE',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operation_participant" (
    "operation_id" UUID NOT NULL,
    "agency_id" UUID NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operation_participant_pkey" PRIMARY KEY ("operation_id","agency_id")
);

-- CreateTable
CREATE TABLE "scam_den" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "source_ref" TEXT NOT NULL,
    "submission_id" UUID,
    "operation_id" UUID,
    "sharing_level" "SharingLevel" NOT NULL DEFAULT 'AMBER',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retracted_at" TIMESTAMPTZ(3),
    "country" CHAR(2) NOT NULL,
    "region" TEXT,
    "geohash" VARCHAR(5),
    "den_type" "DenType" NOT NULL,
    "status" "DenStatus" NOT NULL,
    "raided_on" DATE,
    "devices_seized" INTEGER,
    "first_seen_on" DATE,

    CONSTRAINT "scam_den_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suspect" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "source_ref" TEXT NOT NULL,
    "submission_id" UUID,
    "operation_id" UUID,
    "sharing_level" "SharingLevel" NOT NULL DEFAULT 'AMBER',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retracted_at" TIMESTAMPTZ(3),
    "person_key" TEXT NOT NULL,
    "nationality" CHAR(2),
    "birth_year" SMALLINT,
    "sex" "Sex" NOT NULL DEFAULT 'UNKNOWN',
    "role" "SuspectRole" NOT NULL,
    "status" "SuspectStatus" NOT NULL,
    "status_on" DATE,
    "trafficking_victim" BOOLEAN NOT NULL DEFAULT false,
    "den_id" UUID,

    CONSTRAINT "suspect_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "selector" (
    "id" UUID NOT NULL,
    "suspect_id" UUID NOT NULL,
    "type" "SelectorType" NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "selector_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "intercepted_fund" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "source_ref" TEXT NOT NULL,
    "submission_id" UUID,
    "operation_id" UUID,
    "sharing_level" "SharingLevel" NOT NULL DEFAULT 'AMBER',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retracted_at" TIMESTAMPTZ(3),
    "amount" DECIMAL(38,18) NOT NULL,
    "currency" VARCHAR(8) NOT NULL,
    "amount_usd" DECIMAL(38,18),
    "channel" "FundChannel" NOT NULL,
    "action" "FundAction" NOT NULL,
    "action_on" DATE,
    "account_key" CHAR(64),
    "account_country" CHAR(2),
    "den_id" UUID,
    "victim_count" INTEGER,

    CONSTRAINT "intercepted_fund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "submission" (
    "id" UUID NOT NULL,
    "agency_id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "operation_id" UUID,
    "mode" "SubmissionMode" NOT NULL DEFAULT 'ATOMIC',
    "dry_run" BOOLEAN NOT NULL DEFAULT false,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'PROCESSING',
    "content_sha256" CHAR(64) NOT NULL,
    "idempotency_key" TEXT,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "updated" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "errors" JSONB NOT NULL DEFAULT '[]',
    "receipt" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "submission_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "record_version" (
    "id" UUID NOT NULL,
    "kind" "RecordKind" NOT NULL,
    "record_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "submission_id" UUID,
    "data" JSONB NOT NULL,
    "superseded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "record_version_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "exchange_rate" (
    "currency" VARCHAR(8) NOT NULL,
    "valid_on" DATE NOT NULL,
    "usd_per_unit" DECIMAL(38,18) NOT NULL,
    "source" TEXT NOT NULL,

    CONSTRAINT "exchange_rate_pkey" PRIMARY KEY ("currency","valid_on")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "seq" BIGSERIAL NOT NULL,
    "agency_code" TEXT,
    "subject" TEXT,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "outcome" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "at" TIMESTAMPTZ(3) NOT NULL,
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "replay_cache" (
    "iss" TEXT NOT NULL,
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "replay_cache_pkey" PRIMARY KEY ("iss","jti")
);

-- CreateIndex
CREATE UNIQUE INDEX "agency_code_key" ON "agency"("code");

-- CreateIndex
CREATE UNIQUE INDEX "agency_key_agency_id_kid_key" ON "agency_key"("agency_id", "kid");

-- CreateIndex
CREATE UNIQUE INDEX "operation_code_key" ON "operation"("code");

-- CreateIndex
CREATE INDEX "operation_lead_id_idx" ON "operation"("lead_id");

-- CreateIndex
CREATE INDEX "operation_participant_agency_id_operation_id_idx" ON "operation_participant"("agency_id", "operation_id");

-- CreateIndex
CREATE INDEX "scam_den_operation_id_sharing_level_idx" ON "scam_den"("operation_id", "sharing_level");

-- CreateIndex
CREATE INDEX "scam_den_country_idx" ON "scam_den"("country");

-- CreateIndex
CREATE INDEX "scam_den_status_idx" ON "scam_den"("status");

-- CreateIndex
CREATE INDEX "scam_den_sharing_level_idx" ON "scam_den"("sharing_level");

-- CreateIndex
CREATE UNIQUE INDEX "scam_den_owner_id_source_ref_key" ON "scam_den"("owner_id", "source_ref");

-- CreateIndex
CREATE INDEX "suspect_operation_id_sharing_level_idx" ON "suspect"("operation_id", "sharing_level");

-- CreateIndex
CREATE INDEX "suspect_person_key_idx" ON "suspect"("person_key");

-- CreateIndex
CREATE INDEX "suspect_den_id_idx" ON "suspect"("den_id");

-- CreateIndex
CREATE INDEX "suspect_nationality_idx" ON "suspect"("nationality");

-- CreateIndex
CREATE INDEX "suspect_status_idx" ON "suspect"("status");

-- CreateIndex
CREATE INDEX "suspect_sharing_level_idx" ON "suspect"("sharing_level");

-- CreateIndex
CREATE UNIQUE INDEX "suspect_owner_id_source_ref_key" ON "suspect"("owner_id", "source_ref");

-- CreateIndex
CREATE INDEX "selector_type_hash_idx" ON "selector"("type", "hash");

-- CreateIndex
CREATE UNIQUE INDEX "selector_suspect_id_type_hash_key" ON "selector"("suspect_id", "type", "hash");

-- CreateIndex
CREATE INDEX "intercepted_fund_operation_id_sharing_level_idx" ON "intercepted_fund"("operation_id", "sharing_level");

-- CreateIndex
CREATE INDEX "intercepted_fund_den_id_idx" ON "intercepted_fund"("den_id");

-- CreateIndex
CREATE INDEX "intercepted_fund_currency_idx" ON "intercepted_fund"("currency");

-- CreateIndex
CREATE INDEX "intercepted_fund_account_key_idx" ON "intercepted_fund"("account_key");

-- CreateIndex
CREATE INDEX "intercepted_fund_sharing_level_idx" ON "intercepted_fund"("sharing_level");

-- CreateIndex
CREATE UNIQUE INDEX "intercepted_fund_owner_id_source_ref_key" ON "intercepted_fund"("owner_id", "source_ref");

-- CreateIndex
CREATE INDEX "submission_agency_id_content_sha256_idx" ON "submission"("agency_id", "content_sha256");

-- CreateIndex
CREATE UNIQUE INDEX "submission_agency_id_idempotency_key_key" ON "submission"("agency_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "record_version_kind_record_id_idx" ON "record_version"("kind", "record_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_prev_hash_key" ON "audit_event"("prev_hash");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_hash_key" ON "audit_event"("hash");

-- CreateIndex
CREATE INDEX "audit_event_agency_code_at_idx" ON "audit_event"("agency_code", "at");

-- CreateIndex
CREATE INDEX "replay_cache_expires_at_idx" ON "replay_cache"("expires_at");

-- AddForeignKey
ALTER TABLE "agency_key" ADD CONSTRAINT "agency_key_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation" ADD CONSTRAINT "operation_lead_id_fkey" FOREIGN KEY ("lead_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation_participant" ADD CONSTRAINT "operation_participant_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation_participant" ADD CONSTRAINT "operation_participant_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scam_den" ADD CONSTRAINT "scam_den_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scam_den" ADD CONSTRAINT "scam_den_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submission"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "scam_den" ADD CONSTRAINT "scam_den_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "suspect" ADD CONSTRAINT "suspect_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "suspect" ADD CONSTRAINT "suspect_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submission"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "suspect" ADD CONSTRAINT "suspect_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "suspect" ADD CONSTRAINT "suspect_den_id_fkey" FOREIGN KEY ("den_id") REFERENCES "scam_den"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "selector" ADD CONSTRAINT "selector_suspect_id_fkey" FOREIGN KEY ("suspect_id") REFERENCES "suspect"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intercepted_fund" ADD CONSTRAINT "intercepted_fund_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intercepted_fund" ADD CONSTRAINT "intercepted_fund_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submission"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intercepted_fund" ADD CONSTRAINT "intercepted_fund_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "intercepted_fund" ADD CONSTRAINT "intercepted_fund_den_id_fkey" FOREIGN KEY ("den_id") REFERENCES "scam_den"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submission" ADD CONSTRAINT "submission_agency_id_fkey" FOREIGN KEY ("agency_id") REFERENCES "agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "submission" ADD CONSTRAINT "submission_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE SET NULL ON UPDATE CASCADE;
