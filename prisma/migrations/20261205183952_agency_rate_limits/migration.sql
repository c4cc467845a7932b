-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "cost_per_minute" INTEGER,
ADD COLUMN     "requests_per_minute" INTEGER;

-- CreateTable
CREATE TABLE "rate_limit_counter" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limit_counter_pkey" PRIMARY KEY ("key")
);
