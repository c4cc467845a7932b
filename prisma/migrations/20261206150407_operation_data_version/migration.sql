-- CreateTable
CREATE TABLE "operation_data_version" (
    "operation_id" UUID NOT NULL,
    "version" BIGINT NOT NULL DEFAULT 1,
    "changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "operation_data_version_pkey" PRIMARY KEY ("operation_id")
);

-- AddForeignKey
ALTER TABLE "operation_data_version" ADD CONSTRAINT "operation_data_version_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
