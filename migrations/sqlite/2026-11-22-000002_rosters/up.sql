-- The roster details of a registration (附件1), as HR keeps them: a new row whenever they
-- change (变更); the latest row is current.
CREATE TABLE roster_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    institution_code TEXT NOT NULL,
    personnel_code TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    practice_scope TEXT,
    practice_place TEXT,
    practice_registered_on DATE,
    filed_on DATE,
    certificate_no TEXT,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX roster_entries_key ON roster_entries(institution_code, personnel_code);
