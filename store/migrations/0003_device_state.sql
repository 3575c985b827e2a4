-- Watchpost schema 3: the live state of each device, projected from device.* journal
-- entries, so that a restart knows when each device was last heard and what it said.
CREATE TABLE device_state (
    device    TEXT PRIMARY KEY,
    last_seen INTEGER NOT NULL,
    online    INTEGER NOT NULL DEFAULT 1,
    messages  INTEGER NOT NULL DEFAULT 0,
    data      TEXT NOT NULL               -- the latest reading (JSON)
) STRICT;
