-- Who did what, when, from which request, and the projection before and after: one row per
-- write transaction, append-only. `facts` lists the facts it inserted (table:id).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    token_id BIGINT,
    role TEXT NOT NULL,
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    targets TEXT NOT NULL,
    facts TEXT NOT NULL,
    changes TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
