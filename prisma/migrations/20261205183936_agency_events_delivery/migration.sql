-- CreateEnum
CREATE TYPE "WebhookDeliveryStatus" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- AlterTable
ALTER TABLE "agency_event" ADD COLUMN     "tx" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateTable
CREATE TABLE "agency_webhook" (
    "id" UUID NOT NULL,
    "agency_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "agency_webhook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "event_id" BIGINT NOT NULL,
    "webhook_id" UUID NOT NULL,
    "status" "WebhookDeliveryStatus" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("event_id","webhook_id")
);

-- CreateTable
CREATE TABLE "webhook_attempt" (
    "id" BIGSERIAL NOT NULL,
    "event_id" BIGINT NOT NULL,
    "webhook_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "http_status" INTEGER,
    "error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "agency_webhook_agency_id_key" ON "agency_webhook"("agency_id");

-- CreateIndex
CREATE INDEX "webhook_delivery_status_next_attempt_at_idx" ON "webhook_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_delivery_webhook_id_status_idx" ON "webhook_delivery"("webhook_id", "status");

-- CreateIndex
CREATE INDEX "webhook_attempt_webhook_id_id_idx" ON "webhook_attempt"("webhook_id", "id");

-- Publishing an event: whoever inserts into agency_event needs to know nothing else. In the
-- inserting transaction this trigger queues one delivery per webhook of the agency and
-- notifies listeners (PostgreSQL sends NOTIFY only when the transaction commits, and never
-- for a rolled-back one). The payload is "<agency id>:<event id>", nothing of the event.
CREATE FUNCTION agency_event_published() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO webhook_delivery (event_id, webhook_id, next_attempt_at)
  SELECT NEW.id, w.id, NEW.created_at FROM agency_webhook w WHERE w.agency_id = NEW.agency_id;
  PERFORM pg_notify('liaison_agency_event', NEW.agency_id::text || ':' || NEW.id::text);
  RETURN NULL;
END;
$$;

CREATE TRIGGER agency_event_published AFTER INSERT ON agency_event
  FOR EACH ROW EXECUTE FUNCTION agency_event_published();
