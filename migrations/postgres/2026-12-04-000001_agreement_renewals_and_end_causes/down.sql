ALTER TABLE institution_events DROP COLUMN discovered_on;
ALTER TABLE institution_events DROP COLUMN cause;
