-- The full report of a large roster file (up to 5 × 10⁵ rows) is written in parts of about
-- 1 MiB, in order, so that neither writing nor keeping it needs the whole text in memory; its
-- upload_reports row then has an empty body. Deleted with its report when it expires (7 days).
CREATE TABLE upload_report_parts (
    report_id TEXT NOT NULL,
    part TEXT NOT NULL,
    seq INTEGER NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (report_id, part, seq)
);
