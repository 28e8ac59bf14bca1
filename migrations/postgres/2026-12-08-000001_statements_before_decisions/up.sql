-- 吉林 第四十九条: before a 协议处理决定 the agency tells the institution the intended decision,
-- its facts and basis; the institution has 7 days to state its case with evidence (or waives
-- them); the agency adopts the statement or says why not, then decides. Append-only, audited.
CREATE TABLE agreement_intents (
    id BIGSERIAL PRIMARY KEY,
    institution_code TEXT NOT NULL REFERENCES institutions(code),
    action TEXT NOT NULL,
    department TEXT,
    facts TEXT NOT NULL,
    basis TEXT NOT NULL,
    notified_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX agreement_intents_institution ON agreement_intents(institution_code);
CREATE TABLE agreement_statements (
    id BIGSERIAL PRIMARY KEY,
    intent_id BIGINT NOT NULL UNIQUE REFERENCES agreement_intents(id),
    stated_on DATE NOT NULL,
    waived BOOLEAN NOT NULL,
    statement TEXT NOT NULL,
    evidence TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE agreement_intent_decisions (
    id BIGSERIAL PRIMARY KEY,
    intent_id BIGINT NOT NULL UNIQUE REFERENCES agreement_intents(id),
    event_id BIGINT NOT NULL,
    decided_on DATE NOT NULL,
    adopted BOOLEAN,
    response TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
