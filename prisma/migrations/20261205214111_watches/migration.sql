-- CreateTable
CREATE TABLE "watch" (
    "id" UUID NOT NULL,
    "agency_id" UUID NOT NULL,
    "subject" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "case_ref" TEXT,
    "identifiers" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "until" TIMESTAMPTZ(3) NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "watch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "watch_selector" (
    "watch_id" UUID NOT NULL,
    "type" "SelectorType" NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "watch_selector_pkey" PRIMARY KEY ("watch_id","type","hash")
);

-- CreateIndex
CREATE INDEX "watch_agency_id_created_at_idx" ON "watch"("agency_id", "created_at");

-- CreateIndex
CREATE INDEX "watch_selector_hash_idx" ON "watch_selector"("hash");

-- AddForeignKey
ALTER TABLE "watch_selector" ADD CONSTRAINT "watch_selector_watch_id_fkey" FOREIGN KEY ("watch_id") REFERENCES "watch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
