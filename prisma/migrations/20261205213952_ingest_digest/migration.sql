-- The keyed digest of the mapped record that last wrote a row (ingest/record-digest.ts): a
-- resubmitted record with the same digest is counted unchanged without being pseudonymized
-- or written.

-- AlterTable
ALTER TABLE "intercepted_fund" ADD COLUMN     "ingest_digest" TEXT;

-- AlterTable
ALTER TABLE "scam_den" ADD COLUMN     "ingest_digest" TEXT;

-- AlterTable
ALTER TABLE "suspect" ADD COLUMN     "ingest_digest" TEXT;

-- Any update that does not set a new digest (a retraction, an operator's fix, any writer other
-- than ingest/batch/) forgets the digest, so the next submission of that record is compared
-- and written in full instead of being skipped against a row that no longer matches it.
CREATE FUNCTION ingest_digest_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.ingest_digest IS NOT DISTINCT FROM OLD.ingest_digest THEN
    NEW.ingest_digest := NULL;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER scam_den_ingest_digest BEFORE UPDATE ON "scam_den" FOR EACH ROW EXECUTE FUNCTION ingest_digest_forget();
CREATE TRIGGER suspect_ingest_digest BEFORE UPDATE ON "suspect" FOR EACH ROW EXECUTE FUNCTION ingest_digest_forget();
CREATE TRIGGER intercepted_fund_ingest_digest BEFORE UPDATE ON "intercepted_fund" FOR EACH ROW EXECUTE FUNCTION ingest_digest_forget();
