-- Once a year (三(三)) is now the service's rule among tests not revoked: a revoked test and its
-- correction share a year, so the table-level UNIQUE (personnel_code, cycle_year) goes.
ALTER TABLE training_tests DROP CONSTRAINT IF EXISTS training_tests_personnel_code_cycle_year_key;
CREATE INDEX training_tests_person_year ON training_tests(personnel_code, cycle_year);
-- 三(三): the pass mark the agency sets for a year's training test (60 until set); the latest
-- row for a year is in force. Append-only, audited like every fact.
CREATE TABLE pass_marks (
    id BIGSERIAL PRIMARY KEY,
    year INTEGER NOT NULL,
    mark INTEGER NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX pass_marks_year ON pass_marks(year);
-- A training test recorded wrongly is revoked (never deleted): it counts for no date, and a
-- termination it caused is withdrawn; the corrected result can then be recorded.
CREATE TABLE test_revocations (
    id BIGSERIAL PRIMARY KEY,
    test_id BIGINT NOT NULL UNIQUE REFERENCES training_tests(id),
    revoked_on DATE NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
