-- CreateIndex
CREATE INDEX "intercepted_fund_submission_id_idx" ON "intercepted_fund"("submission_id");

-- CreateIndex
CREATE INDEX "suspect_submission_id_idx" ON "suspect"("submission_id");
