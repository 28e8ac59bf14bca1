-- 聊城 第三十一条(一)、吉林 第四十七条(一): a second suspension within one agreement term opens a
-- case for the agency to terminate the agreement (or not), with a reason.
CREATE TABLE termination_cases (
    id BIGSERIAL PRIMARY KEY,
    institution_code TEXT NOT NULL REFERENCES institutions(code),
    term_start DATE NOT NULL,
    opened_on DATE NOT NULL,
    suspensions INTEGER NOT NULL,
    article TEXT NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (institution_code, term_start)
);
CREATE TABLE termination_case_decisions (
    id BIGSERIAL PRIMARY KEY,
    case_id BIGINT NOT NULL UNIQUE REFERENCES termination_cases(id),
    decision TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_on DATE NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
