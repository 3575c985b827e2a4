-- Watchpost schema 2: the operators' saved camera-wall views.
CREATE TABLE views (
    operator TEXT NOT NULL REFERENCES operators (username) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    data     TEXT NOT NULL,
    PRIMARY KEY (operator, name)
) STRICT;
