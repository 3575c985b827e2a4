-- Watchpost schema 1: the journal, the site inventory, operators and alarms.

-- The append-only journal: every event and operator action. Never updated, never deleted.
CREATE TABLE journal (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    ts       INTEGER NOT NULL,            -- Unix nanoseconds, UTC
    kind     TEXT    NOT NULL,
    subject  TEXT    NOT NULL DEFAULT '',
    operator TEXT    NOT NULL,
    drill    INTEGER NOT NULL DEFAULT 0,
    data     TEXT                          -- JSON
) STRICT;
CREATE INDEX journal_ts ON journal (ts);
CREATE INDEX journal_subject ON journal (subject, seq);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;

-- The site inventory, projected from site.* journal entries. Each row keeps the whole
-- object as JSON (data) and the columns needed to query it.
CREATE TABLE sites (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0,
    data TEXT NOT NULL                     -- name, address, boundary, features
) STRICT;
CREATE TABLE grids (
    id      TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    pos     INTEGER NOT NULL,              -- order in the site file
    name    TEXT NOT NULL,
    data    TEXT NOT NULL
) STRICT;
CREATE TABLE buildings (
    id      TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    pos     INTEGER NOT NULL,
    grid_id TEXT REFERENCES grids (id) ON DELETE SET NULL,
    name    TEXT NOT NULL,
    data    TEXT NOT NULL
) STRICT;
CREATE TABLE cameras (
    id      TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    pos     INTEGER NOT NULL,
    grid_id TEXT REFERENCES grids (id) ON DELETE SET NULL,
    name    TEXT NOT NULL,
    data    TEXT NOT NULL
) STRICT;
CREATE TABLE devices (
    id      TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    pos     INTEGER NOT NULL,
    kind    TEXT NOT NULL,
    grid_id TEXT REFERENCES grids (id) ON DELETE SET NULL,
    name    TEXT NOT NULL,
    data    TEXT NOT NULL
) STRICT;
CREATE INDEX devices_kind ON devices (kind);

-- Operator accounts. The password hash lives here only, never in the journal.
CREATE TABLE operators (
    username   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0,
    hash       BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    data       TEXT NOT NULL
) STRICT;

-- Alarms, projected from alarm.* journal entries; id is the seq of the alarm.raised entry.
CREATE TABLE alarms (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL,
    priority  INTEGER NOT NULL,
    state     TEXT NOT NULL,
    device    TEXT NOT NULL DEFAULT '',
    camera    TEXT NOT NULL DEFAULT '',
    grid      TEXT NOT NULL DEFAULT '',
    drill     INTEGER NOT NULL DEFAULT 0,
    raised_at INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL REFERENCES journal (seq),
    data      TEXT NOT NULL
) STRICT;
CREATE INDEX alarms_open ON alarms (state) WHERE state <> 'resolved';
CREATE INDEX alarms_raised ON alarms (raised_at);
