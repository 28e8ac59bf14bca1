ALTER TABLE institution_events DROP COLUMN requested_on;
