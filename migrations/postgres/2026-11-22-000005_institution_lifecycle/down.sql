ALTER TABLE institution_events DROP COLUMN lapses_on;
ALTER TABLE institution_events DROP COLUMN requested;
ALTER TABLE institutions DROP COLUMN public;
