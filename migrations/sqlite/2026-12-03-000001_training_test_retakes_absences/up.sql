-- 三(三) 原则上每年参加1次: a second test in a year is refused unless an admin records it as a
-- re-sit, with the reason (kept on the row; the row's audit entry names the admin).
ALTER TABLE training_tests ADD COLUMN retake_reason TEXT;
-- 三(三): an absence from the year's test (缺考) is a fact of its own: never a pass, never a
-- result; the year's test is still to be sat. Append-only, audited.
CREATE TABLE training_test_absences (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    personnel_code TEXT NOT NULL REFERENCES practitioners(personnel_code),
    absent_on DATE NOT NULL,
    cycle_year INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX training_test_absences_person ON training_test_absences(personnel_code, cycle_year);
