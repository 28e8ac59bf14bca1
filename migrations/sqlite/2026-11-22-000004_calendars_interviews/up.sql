-- Next year's holidays uploaded by an admin (the State Council publishes them each November);
-- the latest upload of a year is in force.
CREATE TABLE calendar_years (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    year INTEGER NOT NULL,
    source TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
-- Who took part in an interview (约谈).
ALTER TABLE interview_records ADD COLUMN participants TEXT;
