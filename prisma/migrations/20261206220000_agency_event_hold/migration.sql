-- Which events a reader may list without passing one that commits later (schema/events.ts).
-- Event ids come from a sequence, so a transaction can take id 49, another take 50 and commit
-- first: a reader that listed 50 and moved its cursor past it would never deliver 49. Before
-- this, readers held back every event newer than the oldest transaction running anywhere on
-- the server (the snapshot's xmin), so one long transaction of any kind — a 70-second
-- submission, another database's batch job — held back every agency's events.
--
-- Now only the transactions that insert events hold others back, and only behind their own
-- ids: before an INSERT into agency_event allocates any id, its transaction takes a shared
-- advisory lock whose key carries the sequence's last value at that moment (every id the
-- transaction gets is above it); the lock stays until the transaction ends. A reader lists
-- only ids up to agency_event_listable_up_to(): the last id allocated when it asked, and below
-- the key of every such lock still held then. It must list in a later statement than the one
-- that asked, so that a transaction seen ending has its rows in the reader's snapshot.
CREATE FUNCTION agency_event_hold_ids() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_id bigint;
BEGIN
  IF current_setting('liaison.agency_event_held', true) = 'yes' THEN
    RETURN NULL;
  END IF;
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO last_id FROM agency_event_id_seq;
  -- Key (namespace, low 32 bits of last_id as a signed int4); pg_locks shows it as classid, objid.
  PERFORM pg_advisory_xact_lock_shared(1279869253, (((last_id % 4294967296) + 4294967296) % 4294967296 - 2147483648)::int4);
  PERFORM set_config('liaison.agency_event_held', 'yes', true);
  RETURN NULL;
END;
$$;

CREATE TRIGGER agency_event_hold_ids BEFORE INSERT ON agency_event
  FOR EACH STATEMENT EXECUTE FUNCTION agency_event_hold_ids();

CREATE FUNCTION agency_event_listable_up_to() RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_id bigint;
  held_from bigint;
BEGIN
  SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END INTO last_id FROM agency_event_id_seq;
  SELECT min(last_id + ((((l.objid::bigint + 2147483648) % 4294967296) - last_id) % 4294967296 + 4294967296 + 2147483648) % 4294967296 - 2147483648)
    INTO held_from
    FROM pg_locks l
   WHERE l.locktype = 'advisory' AND l.classid = 1279869253 AND l.objsubid = 2 AND l.granted
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND l.pid IS DISTINCT FROM pg_backend_pid();
  RETURN LEAST(last_id, held_from);
END;
$$;

-- The transaction id of each event is no longer what readers go by.
ALTER TABLE "agency_event" DROP COLUMN "tx";
