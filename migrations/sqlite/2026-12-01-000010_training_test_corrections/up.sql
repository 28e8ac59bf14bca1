-- Once a year (三(三)) is now the service's rule among tests not revoked: a revoked test and its
-- correction share a year, so the table-level UNIQUE (personnel_code, cycle_year) goes (SQLite
-- rebuilds the table to drop it).
CREATE TABLE training_tests_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    personnel_code TEXT NOT NULL REFERENCES practitioners(personnel_code),
    tested_on DATE NOT NULL,
    cycle_year INTEGER NOT NULL,
    format TEXT NOT NULL,
    score INTEGER,
    passed BOOLEAN NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
INSERT INTO training_tests_new (id, personnel_code, tested_on, cycle_year, format, score, passed, recorded_at)
    SELECT id, personnel_code, tested_on, cycle_year, format, score, passed, recorded_at FROM training_tests;
DROP TABLE training_tests;
ALTER TABLE training_tests_new RENAME TO training_tests;
CREATE INDEX training_tests_person_year ON training_tests(personnel_code, cycle_year);
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
