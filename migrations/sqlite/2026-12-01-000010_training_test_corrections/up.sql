-- 三(三): the pass mark the agency sets for a year's training test (60 until set); the latest
-- row for a year is in force. Append-only, audited like every fact.
CREATE TABLE pass_marks (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    year INTEGER NOT NULL,
    mark INTEGER NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX pass_marks_year ON pass_marks(year);
-- A training test recorded wrongly is revoked (never deleted): it counts for no date, and a
-- termination it caused is withdrawn; the corrected result can then be recorded.
CREATE TABLE test_revocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    test_id BIGINT NOT NULL UNIQUE REFERENCES training_tests(id),
    revoked_on DATE NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
