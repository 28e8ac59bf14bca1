ALTER TABLE training_tests DROP COLUMN delivery;
