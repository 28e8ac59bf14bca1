-- Which notices an institution's HR has opened on the pages (the unread flag of /notices and
-- the HR home). Not the legal receipt of 六(一) (notice_receipts, the day the 10 working days
-- run from): opening a page acknowledges nothing. One row per notice — a notice goes to one
-- institution — written the first time one of its HR accounts opens it; not a fact, no audit row.
CREATE TABLE notice_reads (
    notice_id BIGINT PRIMARY KEY REFERENCES notices(id),
    account_id BIGINT NOT NULL,
    read_at TIMESTAMP NOT NULL
);
