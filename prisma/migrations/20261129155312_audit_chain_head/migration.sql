-- CreateTable
CREATE TABLE "audit_chain_head" (
    "id" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id")
);

-- The head starts where the chain already is (or at genesis on an empty log).
INSERT INTO "audit_chain_head" ("id", "seq", "prev_hash", "hash")
SELECT 1,
       coalesce((SELECT "seq" FROM "audit_event" ORDER BY "seq" DESC LIMIT 1), 0),
       coalesce((SELECT "prev_hash" FROM "audit_event" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64)),
       coalesce((SELECT "hash" FROM "audit_event" ORDER BY "seq" DESC LIMIT 1), repeat('0', 64));
