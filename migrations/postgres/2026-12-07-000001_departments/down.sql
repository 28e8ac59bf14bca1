ALTER TABLE institution_events DROP COLUMN department;
ALTER TABLE roster_entries DROP COLUMN department;
