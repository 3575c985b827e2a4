-- Watchpost schema 6: checkpoints of the replay fold (app.ReplayState), so that a replay
-- jumps to any instant by loading the nearest checkpoint and folding the few entries after
-- it instead of folding the journal from the start. Derived data: written beside the
-- journal, not through it; a newer fold version writes its own rows and losing them all
-- costs only speed.
CREATE TABLE replay_checkpoints (
    version INTEGER NOT NULL,                -- app.ReplayVersion of the fold that wrote it
    seq     INTEGER NOT NULL,                -- state folded up to and including this entry
    ts      INTEGER NOT NULL,                -- that entry's time, Unix nanoseconds
    state   BLOB NOT NULL,                   -- the state as JSON, deflated
    PRIMARY KEY (version, seq)
) STRICT;
