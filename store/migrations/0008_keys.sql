-- Watchpost schema 8: the fingerprint of the site key (kept outside the database, in the OS
-- keyring or a 0600 key file beside it: store/keys.go). A database that has one refuses to
-- open with a missing or different key, rather than showing garbage or starting a new chain.
CREATE TABLE site_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    created     TEXT NOT NULL
) STRICT;
