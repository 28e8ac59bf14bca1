-- 六(一): written notices to the institution(s), objections, their decisions and escalations.
CREATE TABLE notices (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    institution_code TEXT NOT NULL,
    personnel_code TEXT,
    deduction_id BIGINT,
    notice_date DATE NOT NULL,
    objection_deadline DATE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX notices_institution ON notices(institution_code);
CREATE INDEX notices_person ON notices(personnel_code);
CREATE INDEX notices_deduction ON notices(deduction_id);
CREATE TABLE objections (
    id BIGSERIAL PRIMARY KEY,
    deduction_id BIGINT NOT NULL REFERENCES deductions(id),
    institution_code TEXT NOT NULL,
    filed_on DATE NOT NULL,
    grounds TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX objections_deduction ON objections(deduction_id);
CREATE TABLE objection_decisions (
    id BIGSERIAL PRIMARY KEY,
    objection_id BIGINT NOT NULL REFERENCES objections(id),
    level TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_on DATE NOT NULL,
    evidence TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (objection_id, level)
);
CREATE TABLE objection_escalations (
    id BIGSERIAL PRIMARY KEY,
    objection_id BIGINT NOT NULL UNIQUE REFERENCES objections(id),
    escalated_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
