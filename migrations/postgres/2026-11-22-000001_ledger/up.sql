-- The ledger: facts are inserted, never updated or deleted. A correction is a new fact.
CREATE TABLE institutions (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    region_code TEXT NOT NULL,
    agreement_start DATE NOT NULL,
    agreement_end DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE institution_events (
    id BIGSERIAL PRIMARY KEY,
    institution_code TEXT NOT NULL REFERENCES institutions(code),
    action TEXT NOT NULL,
    from_on DATE NOT NULL,
    until_on DATE,
    reason TEXT NOT NULL,
    article TEXT NOT NULL,
    cascade_case_id BIGINT,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX institution_events_institution ON institution_events(institution_code);
CREATE TABLE practitioners (
    personnel_code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    id_number TEXT NOT NULL,
    category TEXT NOT NULL,
    birth_date DATE NOT NULL,
    phone TEXT,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX practitioners_id_number ON practitioners(id_number);
CREATE TABLE registrations (
    id BIGSERIAL PRIMARY KEY,
    institution_code TEXT NOT NULL REFERENCES institutions(code),
    personnel_code TEXT NOT NULL REFERENCES practitioners(personnel_code),
    registered_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX registrations_person ON registrations(personnel_code);
CREATE INDEX registrations_institution ON registrations(institution_code);
CREATE TABLE deregistrations (
    id BIGSERIAL PRIMARY KEY,
    registration_id BIGINT NOT NULL UNIQUE REFERENCES registrations(id),
    deregistered_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE inspections (
    id BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    request_hash TEXT NOT NULL,
    institution_code TEXT NOT NULL REFERENCES institutions(code),
    inspected_on DATE NOT NULL,
    decided_on DATE NOT NULL,
    response TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE deductions (
    id BIGSERIAL PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections(id),
    seq INTEGER NOT NULL,
    personnel_code TEXT NOT NULL REFERENCES practitioners(personnel_code),
    institution_code TEXT NOT NULL,
    items TEXT NOT NULL,
    points INTEGER NOT NULL,
    chosen_points INTEGER,
    ban_months INTEGER,
    -- The fund's loss the officer established, in fen (money is never a float).
    fund_loss_fen BIGINT,
    occurred_on DATE,
    decided_on DATE NOT NULL,
    note TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX deductions_person ON deductions(personnel_code);
CREATE TABLE revocations (
    id BIGSERIAL PRIMARY KEY,
    deduction_id BIGINT NOT NULL UNIQUE REFERENCES deductions(id),
    revoked_on DATE NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE training_tests (
    id BIGSERIAL PRIMARY KEY,
    personnel_code TEXT NOT NULL REFERENCES practitioners(personnel_code),
    tested_on DATE NOT NULL,
    cycle_year INTEGER NOT NULL,
    format TEXT NOT NULL,
    score INTEGER,
    passed BOOLEAN NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (personnel_code, cycle_year)
);
CREATE TABLE cascade_cases (
    id BIGSERIAL PRIMARY KEY,
    institution_code TEXT NOT NULL REFERENCES institutions(code),
    cycle_year INTEGER NOT NULL,
    numerator INTEGER NOT NULL,
    denominator INTEGER NOT NULL,
    opened_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (institution_code, cycle_year)
);
CREATE TABLE cascade_decisions (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL UNIQUE REFERENCES cascade_cases(id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_on DATE NOT NULL,
    until_on DATE,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE interview_records (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL UNIQUE,
    held_on DATE NOT NULL,
    notes TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    institution_code TEXT,
    region_code TEXT,
    created_at TIMESTAMP NOT NULL
);
-- SQLite writers take this row first, so every write transaction holds the write lock
-- from its first statement (no read-then-upgrade deadlocks).
CREATE TABLE write_lock (
    id INTEGER PRIMARY KEY NOT NULL,
    n BIGINT NOT NULL
);
INSERT INTO write_lock (id, n) VALUES (1, 0);

-- Projections: derived from the facts, rewritten in the same transaction as the fact that
-- changes them; `jifen verify` rebuilds them and reports any difference.
CREATE TABLE proj_intervals (
    personnel_code TEXT NOT NULL,
    institution_code TEXT NOT NULL,
    from_on DATE NOT NULL,
    until_on DATE,
    status TEXT NOT NULL,
    PRIMARY KEY (personnel_code, institution_code, from_on)
);
CREATE INDEX proj_intervals_institution ON proj_intervals(institution_code);
CREATE TABLE proj_cycles (
    personnel_code TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    total INTEGER NOT NULL,
    deduction_count INTEGER NOT NULL,
    max_single INTEGER NOT NULL,
    PRIMARY KEY (personnel_code, cycle_year)
);
CREATE TABLE proj_sanctions (
    personnel_code TEXT NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    decided_on DATE NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE,
    ban_until DATE,
    total INTEGER NOT NULL,
    article TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (personnel_code, seq)
);
CREATE INDEX proj_sanctions_year ON proj_sanctions(cycle_year);
CREATE TABLE proj_watch (
    institution_code TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    personnel_code TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (institution_code, cycle_year, personnel_code)
);
CREATE INDEX proj_watch_person ON proj_watch(personnel_code);
-- Interview orders keep their id across recomputation; `withdrawn` when no longer following.
CREATE TABLE interview_orders (
    id BIGSERIAL PRIMARY KEY,
    personnel_code TEXT NOT NULL,
    institution_code TEXT NOT NULL,
    cycle_year INTEGER NOT NULL,
    ordered_on DATE NOT NULL,
    withdrawn BOOLEAN NOT NULL,
    UNIQUE (personnel_code, institution_code, cycle_year)
);
CREATE INDEX interview_orders_institution ON interview_orders(institution_code);
