ALTER TABLE institution_events DROP COLUMN copied_from;
