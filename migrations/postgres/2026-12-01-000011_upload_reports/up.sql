-- The full report of a large upload (more than 10 000 rows), whose answer lists only a summary
-- and the first 100 rejections: kept 7 days for GET /rosters/{code}/reports/{id}. Not a fact:
-- a copy of an answer, deleted when it expires.
CREATE TABLE upload_reports (
    id TEXT PRIMARY KEY NOT NULL,
    institution_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    rejected_csv TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX upload_reports_created ON upload_reports(created_at);
