-- Watchpost schema 4: emergency plans, incidents and the site's supply points.

-- Emergency plans (预案); each row keeps the whole plan as JSON. pos keeps the order in
-- which they were added (the defaults first).
CREATE TABLE plans (
    id         TEXT PRIMARY KEY,
    pos        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,           -- Unix nanoseconds
    data       TEXT NOT NULL
) STRICT;

-- Incidents: the current state of each, written with its journal entry in one
-- transaction (the journal's incident.* entries rebuild it). id is given by the core.
CREATE TABLE incidents (
    id        INTEGER PRIMARY KEY,
    state     TEXT NOT NULL,
    plan      TEXT NOT NULL DEFAULT '',
    drill     INTEGER NOT NULL DEFAULT 0,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER,
    data      TEXT NOT NULL
) STRICT;
CREATE INDEX incidents_open ON incidents (state) WHERE state <> 'closed';
CREATE INDEX incidents_opened ON incidents (opened_at);

-- Supply points (fire cabinets, first-aid stations, the emergency store) with their items.
CREATE TABLE supply_points (
    id         TEXT PRIMARY KEY,
    pos        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    data       TEXT NOT NULL
) STRICT;
