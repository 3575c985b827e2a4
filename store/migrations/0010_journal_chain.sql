-- Watchpost schema 9: the journal's chain (store/chain.go). Each entry carries an HMAC-SHA256,
-- under a key derived from the site key (kept outside the database), of the previous entry's
-- chain value and its own content as stored: whoever can edit the file but not read the key
-- cannot delete, edit or insert an entry without the chain showing it.
ALTER TABLE journal ADD COLUMN chain BLOB;

-- The journal stays append-only; the only change allowed is giving an entry of a database
-- from before chains its chain value, once (the first open with the key chains them).
DROP TRIGGER journal_no_update;
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
WHEN OLD.chain IS NOT NULL OR NEW.chain IS NULL
    OR NEW.seq IS NOT OLD.seq OR NEW.ts IS NOT OLD.ts OR NEW.kind IS NOT OLD.kind
    OR NEW.subject IS NOT OLD.subject OR NEW.operator IS NOT OLD.operator
    OR NEW.drill IS NOT OLD.drill OR NEW.data IS NOT OLD.data
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- The point up to which the chain was last verified (start verifies from there on). Its mac,
-- under a key of its own derived from the site key, keeps a tamperer from moving it forward
-- over what they changed.
CREATE TABLE journal_verified (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    seq   INTEGER NOT NULL,
    chain BLOB    NOT NULL,
    mac   BLOB    NOT NULL
) STRICT;
