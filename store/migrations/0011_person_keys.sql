-- Watchpost schema 9: personal fields and secrets are encrypted at rest (store/personal.go).
-- Each person's random data key, wrapped under the site key (kept outside the database);
-- deleting a row erases that person's fields everywhere, the journal included.
CREATE TABLE person_keys (
    id      TEXT PRIMARY KEY,
    wrapped BLOB NOT NULL,
    created TEXT NOT NULL
) STRICT;

-- Rows and journal entries written before this schema hold personal fields in clear: the
-- store seals them once, at its first start on this schema, and then deletes this row.
CREATE TABLE sealing_pending (
    id INTEGER PRIMARY KEY CHECK (id = 1)
) STRICT;
INSERT INTO sealing_pending (id) VALUES (1);
