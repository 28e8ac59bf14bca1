-- The change feed (GET /api/v1/changes): one row per change to a key's payment standing, a key
-- being a (practitioner, institution) pair or an institution. Derived, like the projections:
-- written in the same transaction as the facts, never chained. `seq` is NULL while the writing
-- transaction runs and is numbered at its end, under the feed lock, 1, 2, 3… in commit order.
CREATE TABLE changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    seq BIGINT,
    key_kind TEXT NOT NULL,
    personnel_code TEXT,
    institution_code TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX changes_seq ON changes(seq);
-- The rows a transaction has yet to number (its own: others' are not visible to it).
CREATE INDEX changes_pending ON changes(id) WHERE seq IS NULL;
-- The full list (GET /exports/status-list.*) reads the refused runs only: about 1 % of them.
CREATE INDEX proj_intervals_status ON proj_intervals(status);
