ALTER TABLE interview_records DROP COLUMN participants;
DROP TABLE calendar_years;
