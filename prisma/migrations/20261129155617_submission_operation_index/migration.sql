-- CreateIndex
CREATE INDEX "submission_operation_id_completed_at_idx" ON "submission"("operation_id", "completed_at");
