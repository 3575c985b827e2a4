-- Watchpost schema 9: every device's own broker credentials (issue 15). Only a keyed hash of
-- the password is kept (HMAC-SHA256 under a key derived from the site key, which is kept
-- outside the database): the password itself is shown once when made and never stored.
-- No foreign key to devices: a site import replaces the devices table, and a device's
-- credentials outlive that; a device no longer in the site is refused by the core anyway.
CREATE TABLE device_credentials (
    device_id TEXT PRIMARY KEY,
    hash      BLOB NOT NULL,
    set_at    INTEGER NOT NULL, -- Unix nanoseconds
    set_by    TEXT NOT NULL
) STRICT;
