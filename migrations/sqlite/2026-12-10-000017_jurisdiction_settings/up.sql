-- Issue 17: the jurisdiction whose policy packs the deployment runs (data/packs/*.toml,
-- `jurisdiction`). The latest row holds; none: `jining`. Set by an admin, audited and chained.
CREATE TABLE jurisdiction_settings (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    jurisdiction TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
