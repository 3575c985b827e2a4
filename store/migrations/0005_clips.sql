-- Watchpost schema 5: the index of recorded video clips, projected from the journal's
-- video.clip entries (a row is deleted with its video.clip_deleted entry). The journal
-- keeps every clip that ever was; this table only those whose file is kept, so that
-- retention and the alarm desk need not scan the journal.
CREATE TABLE clips (
    id        TEXT PRIMARY KEY,
    camera    TEXT NOT NULL,
    from_ts   INTEGER NOT NULL,              -- Unix nanoseconds
    to_ts     INTEGER NOT NULL,
    bytes     INTEGER NOT NULL DEFAULT 0,
    alarm     INTEGER NOT NULL DEFAULT 0,
    incident  INTEGER NOT NULL DEFAULT 0,
    drill_run INTEGER NOT NULL DEFAULT 0,
    seq       INTEGER NOT NULL,              -- the video.clip entry
    data      TEXT NOT NULL                  -- the Clip as JSON
) STRICT;
CREATE INDEX clips_from ON clips (from_ts);
CREATE INDEX clips_alarm ON clips (alarm) WHERE alarm <> 0;
