-- Watchpost schema 13: work orders (工单). Each order.* journal entry carries the whole order
-- after its change; this table keeps the latest of each (projected in the same transaction),
-- with the columns the board, the phone pages and the assessment select by.
CREATE TABLE work_orders (
    id         INTEGER PRIMARY KEY,
    state      TEXT NOT NULL,
    category   TEXT NOT NULL,
    grid       TEXT,
    team       TEXT,
    assignee   TEXT,
    receipt    TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    data       TEXT NOT NULL
) STRICT;
CREATE INDEX work_orders_open ON work_orders (state) WHERE state NOT IN ('closed', 'cancelled', 'merged');
CREATE INDEX work_orders_created ON work_orders (created_at);
CREATE UNIQUE INDEX work_orders_receipt ON work_orders (receipt) WHERE receipt IS NOT NULL;

-- The categories, teams and dispatch rules (one document; robots' secrets sealed).
CREATE TABLE order_setup (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL
) STRICT;
