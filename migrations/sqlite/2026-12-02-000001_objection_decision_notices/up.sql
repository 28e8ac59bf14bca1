-- 六(一): the agency's decision on an objection (and the department's on an escalation) is a
-- written notice of its own; the notice names the objection it decides.
ALTER TABLE notices ADD COLUMN objection_id BIGINT;
CREATE INDEX notices_objection ON notices(objection_id);
-- 六(一) 接到书面通知后10个工作日内: when the institution acknowledges it received a notice.
-- One row per notice; append-only and audited like every fact.
CREATE TABLE notice_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    notice_id BIGINT NOT NULL UNIQUE REFERENCES notices(id),
    received_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
-- A notice never acknowledged counts as received on its date plus the delivery allowance the
-- agency sets (calendar days; 0 until set), for notices dated on or after `from_on`; the latest
-- row whose `from_on` is not after the notice's date holds.
CREATE TABLE delivery_allowances (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    days INTEGER NOT NULL,
    from_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
