DROP TABLE training_test_absences;
ALTER TABLE training_tests DROP COLUMN retake_reason;
